from blueprints.outputs.routes import bp

__all__ = ["bp"]
