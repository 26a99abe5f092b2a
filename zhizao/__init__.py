"""zhizao (智造): the open digital backbone of a smart-manufacturing zone."""

__version__ = "0.1.0"
