-- ses-lsp: the language server for Amazon SES email-receiving rules (JSON/YAML).
--
-- Neovim 0.11+ reads this file when `vim.lsp.enable('ses_lsp')` runs, provided the
-- directory holding `lsp/` is on 'runtimepath' (or the file is copied into your own
-- config as `~/.config/nvim/lsp/ses_lsp.lua`). Override any field with
-- `vim.lsp.config('ses_lsp', { ... })` before or after enabling it.
--
-- The server ignores JSON/YAML files that are not SES documents (it reports nothing for
-- them), so attaching it to every json/yaml buffer is harmless.

---@type vim.lsp.Config
return {
  cmd = { 'ses-lsp', 'serve' },
  filetypes = { 'json', 'jsonc', 'yaml' },
  root_markers = { '.ses-lsp.toml', 'pyproject.toml', '.git' },
  -- Sent in answer to the server's `workspace/configuration` request (section "ses-lsp").
  -- Keys are those of a `.ses-lsp.toml` (select, ignore, extend-select, extend-ignore,
  -- severity, region, verified-domains, per-file-ignores, kinds, ...) plus `debounce`
  -- (milliseconds); they apply on top of the project's configuration file.
  settings = {
    ['ses-lsp'] = vim.empty_dict(), -- not {}: an empty Lua table is sent as the JSON list []
  },
}
