from blueprints.dashboard.routes import bp

__all__ = ["bp"]
