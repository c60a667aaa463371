from blueprints.territories.routes import bp

__all__ = ["bp"]
