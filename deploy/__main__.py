"""``python -m deploy up ...``: see ``deploy/up.py``."""

from deploy.up import main

if __name__ == "__main__":
    main()
