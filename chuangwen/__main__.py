"""`python -m chuangwen`: the same command as `chuangwen`."""

from chuangwen.cli import main

if __name__ == "__main__":
    main()
