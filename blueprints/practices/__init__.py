from blueprints.practices.routes import bp

__all__ = ["bp"]
