from blueprints.initiatives.routes import bp

__all__ = ["bp"]
