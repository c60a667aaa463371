from blueprints.forums.routes import bp

__all__ = ["bp"]
