from blueprints.me.routes import bp

__all__ = ["bp"]
