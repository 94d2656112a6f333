"""``python -m amd``: the same command line as the ``amd`` console script."""

from amd.cli import main

if __name__ == "__main__":
    main()
