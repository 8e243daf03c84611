from huaxiang.cli import main

main()
