from platform_cli.app import main

main()
