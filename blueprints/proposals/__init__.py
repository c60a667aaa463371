from blueprints.proposals.routes import bp

__all__ = ["bp"]
