/*
 * The store's writes that must look at the stream first, as Lua scripts so that Redis runs each
 * one whole, with no other client in between. A stream's entry ids are `0-<seq + 1>` and every
 * entry's first field is `t`, the event's type, so `top[2][2]` is the type of the last event.
 */

/**
 * Appends a stream's events from sequence number ARGV[1] on. KEYS: the stream, the owner's
 * lease. ARGV: first seq, retention ms, lease ms, owner id, then type and data of each event.
 * From seq 0 it writes the stream whole, replacing what is there, records the owner in the
 * `start` entry and sets the owner's lease (after Redis lost data, before the lease renewal
 * would, so no reader takes the owner for gone). The time to live is set by the first write and
 * the terminal one; the store refreshes it meanwhile. Returns 1 when written; 0 when the stream
 * does not end right before ARGV[1] (Redis lost it: emptied, restarted, or a write failed), so
 * the caller writes it whole; -1 when it has a terminal event already (another instance ended it
 * with `instance_lost`), so the caller stops writing it.
 */
export const APPEND_EVENTS = `
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if top and (top[2][2] == 'done' or top[2][2] == 'error') then return -1 end
local first = tonumber(ARGV[1])
if first == 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
elseif not top or top[1] ~= '0-' .. first then
  return 0
end
for i = 5, #ARGV, 2 do
  local seq = first + (i - 5) / 2
  if seq == 0 then
    redis.call('XADD', KEYS[1], '0-1', 't', ARGV[i], 'd', ARGV[i + 1], 'o', ARGV[4])
  else
    redis.call('XADD', KEYS[1], '0-' .. (seq + 1), 't', ARGV[i], 'd', ARGV[i + 1])
  end
end
local last = ARGV[#ARGV - 1]
if first == 0 or last == 'done' or last == 'error' then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`;

/**
 * Ends a stream with the error ARGV[1] when its owner's lease has run out and it has no terminal
 * event yet, keeping it for ARGV[2] ms more. KEYS: the stream, the owner's lease. Returns 1 when
 * it ended the stream, 0 when the owner lives or the stream has ended, -1 when there is no stream.
 */
export const END_IF_OWNER_LOST = `
local top = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)[1]
if not top then return -1 end
if top[2][2] == 'done' or top[2][2] == 'error' then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('XADD', KEYS[1], '0-' .. (tonumber(string.sub(top[1], 3)) + 1), 't', 'error', 'd', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;
