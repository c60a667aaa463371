from blueprints.organizations.routes import bp

__all__ = ["bp"]
