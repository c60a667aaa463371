from blueprints.privacy.routes import bp

__all__ = ["bp"]
