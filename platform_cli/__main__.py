from platform_cli.launcher import main

main()
