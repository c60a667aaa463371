from blueprints.case_histories.routes import bp

__all__ = ["bp"]
