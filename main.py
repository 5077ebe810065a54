"""Start Pooling Visualizer: ``python main.py --help`` lists the options."""

import sys

from visualizer.app import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
