"""The error every reader raises for input it cannot read: a code and a clear message."""


class ExtractError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
