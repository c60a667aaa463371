from blueprints.search.routes import bp

__all__ = ["bp"]
