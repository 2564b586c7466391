"""Exit 0 when a PostgreSQL server answers at the URL given (used by make)."""

import sys

import psycopg


def main(url: str) -> int:
    """Try one short connection."""
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return 0
    except psycopg.OperationalError:
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
