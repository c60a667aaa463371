from blueprints.events.routes import bp

__all__ = ["bp"]
