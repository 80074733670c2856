from alertctl.cli.entry import main

main()
