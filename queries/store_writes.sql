-- The bookkeeping of loads on a contract table's stored rows, written once for every table:
-- what community_eval/store.py does at a load, an undo and a check, and what the bulk loader
-- (community_eval/bulk.py) checks on the rows it has just stored.
--
-- DuckDB binds values, not names, so these statements hold placeholders for the table and its
-- columns ({rows}: stored.<table>, {table}, {columns}, {casts}, {key}, {column}), which
-- queries.for_table fills from the fixed schema only. Values are $parameters, bound as in
-- every other query. Each row of a stored table records the load that brought it (import_id)
-- and the load that replaced it (replaced_by, null while current).

-- name: table_mark_replaced
-- A replace: every current row is marked replaced by this import ($id), not deleted, so an
-- undo can bring it back. Parameters: $id.
update {rows} set replaced_by = $id where replaced_by is null

-- name: table_cast_rows
-- The rows of a frame registered as incoming_rows, each column cast to the table's type: what
-- Store.load stores. Parameters: none.
select {casts} from incoming_rows

-- name: table_insert_companion_rows
-- A companion table's rows (registered as companion_rows), cast to its types, stored under the
-- import id ($id) of the load they came with. Parameters: $id.
insert into {rows} ({columns}, import_id) select {casts}, $id from companion_rows

-- name: table_repeated_key
-- A key ({key}) this import ($id) stored that a current row of an earlier import has too, if
-- any. DuckDB has no partial unique index (replaced rows stay, marked replaced_by), so this
-- query and table_key_repeated_in_import are the store's own guarantee, whatever the loader
-- checked before: together, no key of this import is shared by two current rows. Two queries,
-- not one: a self-join of the whole import took 0.5 s more for 2,000,000 rows (issue 20).
-- Parameters: $id.
select {key}
from {rows} as o
semi join (select {key} from {rows} where import_id = $id) as n using ({key})
where o.replaced_by is null and o.import_id <> $id
limit 1

-- name: table_key_repeated_in_import
-- A key ({key}) two rows of this import ($id) share, if any. A key with a missing part is
-- no key (it matches nothing in the join above either). Parameters: $id.
select {key}
from (select {key} from {rows} where import_id = $id)
where columns(*) is not null
group by all
having count(*) > 1
limit 1

-- name: table_remove_import
-- Undo, first half: the rows the import ($id) added go. Parameters: $id.
delete from {rows} where import_id = $id

-- name: table_restore_replaced
-- Undo, second half: the rows the import ($id) replaced are current again. Parameters: $id.
update {rows} set replaced_by = null where replaced_by = $id

-- name: table_adopt_legacy_rows
-- A database made before loads were undoable kept each contract table as a plain table in
-- main: its rows become import 0, which no undo takes back. Parameters: none.
insert into {rows} ({columns}, import_id) select {columns}, 0 from main.{table}

-- name: table_stored_keys
-- The distinct current values of the key ({key}), none of them null: the keys a load must not
-- repeat. Parameters: none.
select distinct * from (select {key} from main.{table}) where columns(*) is not null

-- name: table_orphan_rows
-- Current rows whose community is not (any longer) among the current communities.
-- Parameters: none.
select count(*) from main.{table} where community_id not in (select community_id from main.communities)

-- name: table_rows_outside
-- Current rows whose community is not one of $ids: what a replace of the communities with
-- $ids would leave pointing at nothing. Parameters: $ids.
select count(*) from main.{table} where community_id not in (select unnest($ids))

-- name: table_unknown_reference
-- Whether a row the import ($id) stored names, in {column}, a community not among $known.
-- Parameters: $id, $known.
select 1
from {rows}
where import_id = $id and {column} is not null and {column} not in (select unnest($known::varchar[]))
limit 1

-- name: table_codes_with_e
-- The community codes the import ($id) stored that hold an e, among which a code Excel wrote in
-- scientific notation (values.is_scientific_code decides). Parameters: $id.
select distinct community_id from {rows} where import_id = $id and contains(lower(community_id), 'e')

-- name: table_first_rows
-- The first 20 rows the import ($id) stored, in the order it stored them (one insert keeps
-- a file's order in rowid order): the load's preview. Parameters: $id.
select {columns} from {rows} where import_id = $id order by rowid limit 20

-- name: table_imported_communities
-- The communities (code and name) the import ($id) stored. Parameters: $id.
select community_id, community_name from {rows} where import_id = $id
