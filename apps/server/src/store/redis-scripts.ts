/*
 * The store's writes that must look at the stream first, as Lua scripts so that Redis runs each
 * one whole, with no other client in between. A stream's entry ids are `0-<seq + 1>` and every
 * entry's first field is `t`, the event's type, so `top[2][2]` is the type of the last event.
 */

/**
 * Appends the events of several streams, each from its own first sequence number on: one call
 * per flush (or per APPEND_BATCH_STREAMS streams), since a call costs far more in the client and
 * in Redis than the few XADDs of one stream. KEYS: the owner's lease, then the streams. ARGV:
 * retention ms, lease ms, owner id, then for each stream in KEYS order its first seq, its number
 * of events, and type and data of each event.
 *
 * For each stream: from seq 0 it writes the stream whole, replacing what is there, records the
 * owner in the `start` entry and sets the owner's lease (after Redis lost data, before the lease
 * renewal would, so no reader takes the owner for gone). The time to live is set by the first
 * write and the terminal one; the store refreshes it meanwhile. Returns one reply per stream: 1
 * when written; 0 when the stream does not end right before its first seq (Redis lost it:
 * emptied, restarted, or a write failed), so the caller writes it whole; -1 when it has a terminal
 * event already (another instance ended it with `instance_lost`), so the caller stops writing it.
 */
export const APPEND_EVENTS = `
local replies = {}
local at = 4
for k = 2, #KEYS do
  local key = KEYS[k]
  local first = tonumber(ARGV[at])
  local count = tonumber(ARGV[at + 1])
  local events = at + 2
  at = events + 2 * count
  local top = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
  if top and (top[2][2] == 'done' or top[2][2] == 'error') then
    replies[k - 1] = -1
  elseif first ~= 0 and (not top or top[1] ~= '0-' .. first) then
    replies[k - 1] = 0
  else
    if first == 0 then
      redis.call('DEL', key)
      redis.call('SET', KEYS[1], '1', 'PX', ARGV[2])
    end
    for i = 0, count - 1 do
      local seq = first + i
      local field = events + 2 * i
      if seq == 0 then
        redis.call('XADD', key, '0-1', 't', ARGV[field], 'd', ARGV[field + 1], 'o', ARGV[3])
      else
        redis.call('XADD', key, '0-' .. (seq + 1), 't', ARGV[field], 'd', ARGV[field + 1])
      end
    end
    local last = count > 0 and ARGV[at - 2] or ''
    if first == 0 or last == 'done' or last == 'error' then redis.call('PEXPIRE', key, ARGV[1]) end
    replies[k - 1] = 1
  end
end
return replies
`;

/**
 * Ends a stream with the error ARGV[1], as entry ARGV[3] (INSTANCE_LOST_SEQ's, past every other:
 * Lua would print so large a number in exponent form, hence a string), when its owner's lease has
 * run out and it has no terminal event yet, keeping it for ARGV[2] ms more. KEYS: the stream, the
 * owner's lease. Returns 1 when it ended the stream, 0 when the owner lives or the stream has
 * ended, -1 when there is no stream.
 */
export const END_IF_OWNER_LOST = `
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if not top then return -1 end
if top[2][2] == 'done' or top[2][2] == 'error' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('XADD', KEYS[1], ARGV[3], 't', 'error', 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;
