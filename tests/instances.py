"""Separate application instances for the operations tests: the `flask` command line and app servers in
their own processes, configured only through the environment, as production configures them."""
import os
import pathlib
import re
import socket
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
# settings of the test session that must not leak into a separate instance
_CLEAR = ("DATABASE_URL", "TEST_DATABASE_URL", "UPLOAD_FOLDER", "S3_BUCKET", "S3_ENDPOINT_URL", "S3_PREFIX",
          "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "REDIS_URL", "REDIS_PREFIX", "INSTANCE_DIR")


def environment(instance_dir, **settings):
    env = {k: v for k, v in os.environ.items() if k not in _CLEAR}
    env.update(FLASK_APP="app:create_app", INSTANCE_DIR=str(instance_dir), SECRET_KEY="two-instances-test",
               PYTHONPATH=str(ROOT))
    env.update({k: str(v) for k, v in settings.items() if v is not None})
    return env


def flask(instance_dir, *args, **settings):
    """Run `flask ARGS` in a new process; returns the CompletedProcess (text)."""
    return subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=environment(instance_dir, **settings),
                          capture_output=True, text=True, timeout=300)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on {port} after {seconds} s")


class Server:
    """An app server (gunicorn, one worker, the project's gunicorn.conf.py) in its own process."""

    def __init__(self, instance_dir, **settings):
        self.port = free_port()
        self.log = open(pathlib.Path(instance_dir) / f"server-{self.port}.log", "w+")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "-w", "1",
             "-b", f"127.0.0.1:{self.port}", "app:create_app()"],
            cwd=ROOT, env=environment(instance_dir, **settings), stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(self.port, self.process)
        except RuntimeError:
            self.stop()
            raise RuntimeError(self.output())

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def output(self):
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def web_login(base, username, password):
    """A requests session logged in on the server at `base`."""
    import requests

    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=30).text
    token = CSRF_RE.search(page).group(1)
    response = session.post(f"{base}/login/", data={"username": username, "password": password,
                                                    "csrf_token": token}, allow_redirects=False, timeout=30)
    assert response.status_code == 302, response.text[:300]
    return session


def csrf_of(session, url):
    return CSRF_RE.search(session.get(url, timeout=30).text).group(1)


class S3Server:
    """A local S3-compatible server (moto's server mode) on a free loopback port, with one bucket."""

    def __init__(self, log_dir, bucket="shannan-test"):
        import boto3

        self.port = free_port()
        self.bucket = bucket
        self.log = open(pathlib.Path(log_dir) / f"s3-{self.port}.log", "w+")
        self.process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_for_port(self.port, self.process)
        self.client = boto3.client("s3", endpoint_url=self.url, aws_access_key_id="test",
                                   aws_secret_access_key="test", region_name="us-east-1")
        self.client.create_bucket(Bucket=bucket)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def settings(self, prefix=""):
        return {"S3_ENDPOINT_URL": self.url, "S3_BUCKET": self.bucket, "S3_ACCESS_KEY_ID": "test",
                "S3_SECRET_ACCESS_KEY": "test", "S3_REGION": "us-east-1", "S3_PREFIX": prefix}

    def keys(self):
        return sorted(o["Key"] for o in self.client.list_objects_v2(Bucket=self.bucket).get("Contents", []))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
