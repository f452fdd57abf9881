from ses_lsp.cli import main

raise SystemExit(main())
