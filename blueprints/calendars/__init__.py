from blueprints.calendars.routes import bp

__all__ = ["bp"]
