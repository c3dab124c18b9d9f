"""The local SMT mock."""
