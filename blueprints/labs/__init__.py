from blueprints.labs.routes import bp

__all__ = ["bp"]
