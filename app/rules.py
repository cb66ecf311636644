"""Shared shape of a broken business rule, so views, the API and imports report it the same way."""


class RuleViolation(Exception):
    """One or more broken rules: `messages` maps a field name to a list of messages."""

    def __init__(self, messages):
        self.messages = {k: [str(m) for m in v] for k, v in messages.items()}
        super().__init__("; ".join(m for msgs in self.messages.values() for m in msgs))
