from blueprints.moderation.routes import bp

__all__ = ["bp"]
