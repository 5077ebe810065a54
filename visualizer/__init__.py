"""The Qt front end of Pooling Visualizer."""
