"""The platform's services, each a Procfile process. They never import platform_cli."""
