-- Driven by tests/editors/test_neovim.py:
--   nvim --headless --clean --cmd 'set rtp^=<repo>/editors/neovim' -u nvim_lsp_probe.lua
-- Everything it needs comes in the SES_NVIM_PROBE environment variable (JSON):
--   cmd        the server command (the test's own `ses-lsp serve`)
--   file       the rule file to open
--   out        where to write the results (JSON)
--   timeout    milliseconds to wait for each step
--   hover        { line, character } (0-based) of a hover request on the file as opened
--   completions  a list of { start, end, lines, position }: nvim_buf_set_lines(buf, start, end,
--                true, lines) (sent as didChange), then a completion request at position;
--                the edits accumulate
-- It writes: the config read from the runtimepath file, the client's root_dir, the diagnostics
-- Neovim holds, the hover text, each completion's labels, the final text, the server's exit.
-- It uses the project's editors/neovim/lsp/ses_lsp.lua through vim.lsp.enable, overriding only cmd.

local raw = os.getenv('SES_NVIM_PROBE')
if raw == nil then
  io.stderr:write('SES_NVIM_PROBE is not set\n')
  vim.cmd('cquit! 3')
end
local probe = vim.json.decode(raw)
local out = { errors = {}, steps = {} }

local function step(name)
  table.insert(out.steps, name)
end

local function finish()
  local fh = assert(io.open(probe.out, 'w'))
  fh:write(vim.json.encode(out))
  fh:close()
  vim.cmd('qall!')
end

local function fail(message)
  table.insert(out.errors, message)
  finish()
end

local ok, err = pcall(function()
  -- What the runtimepath file says, before the test's override.
  local base = vim.lsp.config.ses_lsp
  if base == nil then
    return fail('vim.lsp.config.ses_lsp is nil: lsp/ses_lsp.lua was not found on the runtimepath')
  end
  out.config = {
    cmd = base.cmd,
    filetypes = base.filetypes,
    root_markers = base.root_markers,
    settings = base.settings,
  }
  step('config')

  vim.lsp.config('ses_lsp', {
    cmd = probe.cmd,
    on_exit = function(code, signal)
      out.exit = { code = code, signal = signal }
    end,
  })
  vim.lsp.enable('ses_lsp')
  vim.cmd('filetype on')
  vim.cmd.edit(vim.fn.fnameescape(probe.file))
  local buf = vim.api.nvim_get_current_buf()
  out.filetype = vim.bo[buf].filetype
  step('opened')

  local attached = vim.wait(probe.timeout, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'ses_lsp' }) > 0
  end, 20)
  if not attached then
    return fail('no ses_lsp client attached to the buffer (filetype ' .. out.filetype .. ')')
  end
  local client = vim.lsp.get_clients({ bufnr = buf, name = 'ses_lsp' })[1]
  if not vim.wait(probe.timeout, function()
    return client.initialized
  end, 20) then
    table.insert(out.errors, 'the client was not initialized within ' .. probe.timeout .. ' ms')
  end
  out.root_dir = client.root_dir
  out.server_name = client.server_info and client.server_info.name or vim.NIL
  step('attached')

  -- Diagnostics: wait until some arrive, then until they stop changing for a moment.
  local got = vim.wait(probe.timeout, function()
    return #vim.diagnostic.get(buf) > 0
  end, 20)
  if not got then
    return fail('no diagnostics within ' .. probe.timeout .. ' ms')
  end
  local last, stable_since = -1, vim.uv.now()
  if not vim.wait(probe.timeout, function()
    local n = #vim.diagnostic.get(buf)
    if n ~= last then
      last, stable_since = n, vim.uv.now()
    end
    return vim.uv.now() - stable_since >= 300
  end, 20) then
    table.insert(out.errors, 'the diagnostics kept changing for ' .. probe.timeout .. ' ms')
  end
  out.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(out.diagnostics, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      code = d.code,
      source = d.source,
      message = d.message,
    })
  end
  step('diagnostics')

  -- Hover (on the unchanged text).
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = probe.hover,
  }, probe.timeout)
  out.hover = vim.NIL
  for _, res in pairs(hover or {}) do
    if res.err then
      table.insert(out.errors, 'hover: ' .. vim.inspect(res.err))
    elseif res.result then
      local contents = res.result.contents
      if type(contents) == 'table' and contents.value then
        out.hover = contents.value
      elseif type(contents) == 'string' then
        out.hover = contents
      else
        out.hover = vim.json.encode(contents)
      end
    end
  end
  step('hover')

  -- Completions: each applies an edit (sent to the server as didChange), then asks.
  out.completions = {}
  for i, c in ipairs(probe.completions) do
    vim.api.nvim_buf_set_lines(buf, c.start, c['end'], true, c.lines)
    local resp = vim.lsp.buf_request_sync(buf, 'textDocument/completion', {
      textDocument = { uri = vim.uri_from_bufnr(buf) },
      position = c.position,
      context = { triggerKind = 1 },
    }, probe.timeout)
    local labels = vim.NIL
    if resp == nil then
      table.insert(out.errors, 'completion ' .. i .. ': no answer within ' .. probe.timeout .. ' ms')
    end
    for _, res in pairs(resp or {}) do
      if res.err then
        table.insert(out.errors, 'completion ' .. i .. ': ' .. vim.inspect(res.err))
      elseif res.result then
        labels = {}
        for _, item in ipairs(res.result.items or res.result) do
          table.insert(labels, item.label)
        end
      end
    end
    table.insert(out.completions, labels)
  end
  out.text = vim.api.nvim_buf_get_lines(buf, 0, -1, true)
  step('completion')

  -- A clean shutdown: shutdown + exit, and the server's exit code.
  client:stop()
  local stopped = vim.wait(probe.timeout, function()
    return out.exit ~= nil
  end, 20)
  if not stopped then
    table.insert(out.errors, 'the server did not exit within ' .. probe.timeout .. ' ms of shutdown')
  end
  step('stopped')
  finish()
end)

if not ok then
  fail('probe error: ' .. tostring(err))
end
