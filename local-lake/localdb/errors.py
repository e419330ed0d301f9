class LocalDbError(RuntimeError):
    """A failed step of the local databases, with the step and the cause in the message."""

    def __init__(self, step: str, cause: str):
        super().__init__(f"{step}: {cause}")
        self.step = step
