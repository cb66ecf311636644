"""Script entry point: `python app.py` serves the app on http://127.0.0.1:5000 (development server).

Production: `gunicorn 'app:create_app()'` (the factory in the package `app/`, which shadows this file for
`import app`).
"""
import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    sys.modules.pop("app", None)
    from app import create_app
    from app.security.headers import QuietRequestHandler

    create_app().run(host=os.environ.get("HOST", "127.0.0.1"), port=int(os.environ.get("PORT", "5000")),
                     request_handler=QuietRequestHandler)
