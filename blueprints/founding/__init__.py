from blueprints.founding.routes import bp

__all__ = ["bp"]
