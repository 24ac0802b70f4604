"""The dockyard test bed: a local Docker daemon, locally built images and booted SSH hosts."""
