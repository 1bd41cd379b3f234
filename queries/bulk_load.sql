-- Loading big CSV files (community_eval/bulk.py): the cell parsers of values.py, in SQL.
--
-- Every macro here is a temporary macro, created on the loader's own cursor for one load
-- (none of them starts with macro_, so the store never installs them in the database).
-- A parser returns the typed value for the spellings it is certain about and NULL for
-- everything else. NULL is not a verdict: the loader sends each distinct text that came
-- back NULL (and is not blank) to values.parse_cell, the reference, which accepts it or
-- says why not. So these macros must never accept a text the reference refuses, nor read
-- one differently; they need not accept everything the reference accepts. Anything
-- unusual (other Unicode digits or spaces, exponents, year 10000) goes the slow way.
--
-- Word lists, units, the fold table and the whitespace set are arguments, bound as
-- parameters by the caller; identifiers come only from the schema.
--
-- Speed: the canonical spelling of each type is tested first with a cheap expression, and
-- everything else sits in a later case branch, which DuckDB evaluates only for the rows
-- that reach it (coalesce() evaluates all its arguments, and list_contains() on a constant
-- list becomes a join over every row, so neither is used on the fast path). A slow branch
-- that needs a value more than once binds it with list_transform([value], lambda x: ...)[1]:
-- written out twice, the optimizer would compute it once for every row, slow branch or not.

-- name: bulk_macro_may_be_space
-- True for every code point Python's str.isspace() accepts (and for a few that it does
-- not, and for -1, which unicode() gives for ''): a cheap gate before trim(r, ws).
create or replace temp macro bulk_may_be_space(c) as
    c <= 32 or c = 133 or c = 160 or c = 5760 or (c >= 8192 and c <= 8202)
    or c = 8232 or c = 8233 or c = 8239 or c = 8287 or c = 12288

-- name: bulk_macro_trim
-- trim(x, ws), skipped when neither end can be whitespace (a trim with a set is slow).
create or replace temp macro bulk_trim(x, ws) as
    list_transform(
        [x],
        lambda bulk_t: case
            when not bulk_may_be_space(unicode(bulk_t)) and not bulk_may_be_space(unicode(bulk_t[-1])) then bulk_t
            else trim(bulk_t, ws)
        end
    )[1]

-- name: bulk_macro_text
-- values.clean_text: full-width spaces count as spaces, trimmed (Python's whitespace set
-- $ws), empty is missing. Text is always decided here, never sent to Python.
create or replace temp macro bulk_text(r, ws) as
    case
        when r is null then null
        when not bulk_may_be_space(unicode(r)) and not bulk_may_be_space(unicode(r[-1]))
            and not contains(r, chr(12288)) then r
        else nullif(trim(replace(r, chr(12288), ' '), ws), '')
    end

-- name: bulk_macro_text_clean
-- bulk_text for a file the loader has checked byte by byte: no cell starts or ends with
-- whitespace and none holds a full-width space, so the text is the cell as written.
create or replace temp macro bulk_text_clean(r) as nullif(r, '')

-- name: bulk_macro_blank
-- A cell with nothing but whitespace, which every parser reads as missing.
create or replace temp macro bulk_blank(r, ws) as
    case
        when r is null then true
        when not bulk_may_be_space(unicode(r)) then false
        else trim(r, ws) = ''
    end

-- name: bulk_macro_blank_clean
-- bulk_blank in a checked file (see bulk_text_clean).
create or replace temp macro bulk_blank_clean(r) as r is null or r = ''

-- name: bulk_macro_deferred
-- The cell as written when SQL did not decide it (value NULL, cell not blank), else NULL.
create or replace temp macro bulk_deferred(v, r, ws) as
    case when v is not null or r is null then null when bulk_blank(r, ws) then null else r end

-- name: bulk_macro_deferred_clean
-- bulk_deferred in a checked file (see bulk_text_clean).
create or replace temp macro bulk_deferred_clean(v, r) as
    case when v is null then nullif(r, '') end

-- name: bulk_macro_fold
-- values.fold for the characters whose NFKC form is one character (full-width ASCII,
-- U+3000 and other spaces, superscript digits, ￥), plus ㎡ -> m2, then trim and lower case
-- (ASCII letters only: $fold_from / $fold_to map A-Z too). Characters outside the table
-- stay as they are, so a text holding one matches no pattern below and goes to Python.
-- translate() with a long table is slow, so ASCII text (which NFKC leaves alone) is only
-- lower-cased.
create or replace temp macro bulk_fold(r, fold_from, fold_to, ws) as
    bulk_trim(
        case
            when strlen(r) = length(r) then lower(r)
            else replace(translate(r, fold_from, fold_to), '㎡', 'm2')
        end,
        ws
    )

-- name: bulk_macro_word
-- A word list lookup (booleans, enums, likert words). exact_keys are spellings as written
-- (the schema's words and common variants) with what values.parse_cell made of them;
-- keys are folded words, looked up with the folded cell.
create or replace temp macro bulk_word(r, exact_keys, exact_vals, keys, vals, fold_from, fold_to, ws) as
    case
        when r is null then null
        when list_position(exact_keys, r) is not null then exact_vals[list_position(exact_keys, r)]
        else vals[list_position(keys, bulk_fold(r, fold_from, fold_to, ws))]
    end

-- name: bulk_macro_number_parts
-- A folded number: sign, digits (plain, or grouped by commas or by spaces in threes),
-- a decimal fraction, and what follows (the unit). whole is '' when it is no number.
create or replace temp macro bulk_number_parts(f) as
    regexp_extract(
        f,
        '^([+-]?)(\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(\.\d+)? *(.*)$',
        ['sign', 'whole', 'fraction', 'unit']
    )

-- name: bulk_macro_number_value
-- values.parse_number on the parts: the unit must be the column's (units), at most 20
-- digits each side (so the cast reads exactly what float() reads).
create or replace temp macro bulk_number_value(parts, units) as
    list_transform(
        [parts],
        lambda p: case
            when p.whole <> '' and (p.unit = '' or list_position(units, p.unit) is not null)
                and length(p.whole) <= 20 and length(p.fraction) <= 21
                then cast(p.sign || replace(replace(p.whole, ',', ''), ' ', '') || p.fraction as double)
        end
    )[1]

-- name: bulk_macro_number
-- A number: plain decimals by cast (digits only, so the cast reads what float() reads),
-- anything else by its folded parts.
create or replace temp macro bulk_number(r, units, fold_from, fold_to, ws) as
    case
        when r is null then null
        when regexp_full_match(r, '[+-]?\d{1,20}(\.\d{1,20})?') then cast(r as double)
        else bulk_number_value(bulk_number_parts(bulk_fold(r, fold_from, fold_to, ws)), units)
    end

-- name: bulk_macro_int_value
-- values.parse_int on the parts: a whole number (12.0 is one, 12.5 is not), at most 18
-- digits, so it fits BIGINT; longer ones go to Python, which reads them exactly.
create or replace temp macro bulk_int_value(parts, units) as
    list_transform(
        [parts],
        lambda p: case
            when p.whole <> '' and (p.unit = '' or list_position(units, p.unit) is not null)
                and regexp_full_match(p.fraction, '(\.0+)?')
                and length(replace(replace(p.whole, ',', ''), ' ', '')) <= 18
                then cast(p.sign || replace(replace(p.whole, ',', ''), ' ', '') as bigint)
        end
    )[1]

-- name: bulk_macro_int
-- A whole number: plain digits by cast, the rest by folded parts.
create or replace temp macro bulk_int(r, units, fold_from, fold_to, ws) as
    case
        when r is null then null
        when regexp_full_match(r, '[+-]?\d{1,18}') then cast(r as bigint)
        else bulk_int_value(bulk_number_parts(bulk_fold(r, fold_from, fold_to, ws)), units)
    end

-- name: bulk_macro_ymd
-- A date from its year, month and day texts when it exists (year 1 or later), else NULL.
create or replace temp macro bulk_ymd(parts) as
    list_transform(
        [parts],
        lambda p: list_transform(
            [try_cast(concat_ws('-', p.y, lpad(p.m, 2, '0'), lpad(p.d, 2, '0')) as date)],
            lambda d: case
                when try_cast(p.y as integer) >= 1 and month(d) = try_cast(p.m as integer)
                    and day(d) = try_cast(p.d as integer) then d
            end
        )[1]
    )[1]

-- name: bulk_macro_date_text
-- values._match_date on a folded text: 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日 (an
-- optional time after it), 20240305.
create or replace temp macro bulk_date_text(f) as
    coalesce(
        bulk_ymd(regexp_extract(
            f,
            '^(\d{4}) *[-/.年] *(\d{1,2}) *[-/.月] *(\d{1,2}) *日?(?:[ t]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$',
            ['y', 'm', 'd']
        )),
        bulk_ymd(regexp_extract(f, '^(\d{4})(\d{2})(\d{2})$', ['y', 'm', 'd']))
    )

-- name: bulk_macro_date
-- values.parse_date: ISO dates by cast (digits checked first, year 0 refused), every other
-- spelling by pattern.
create or replace temp macro bulk_date(r, fold_from, fold_to, ws) as
    case
        when r is null then null
        when regexp_full_match(r, '\d{4}-\d{2}-\d{2}') and year(try_cast(r as date)) >= 1 then try_cast(r as date)
        else list_transform([bulk_fold(r, fold_from, fold_to, ws)], lambda f: bulk_date_text(f))[1]
    end

-- name: bulk_macro_month
-- values.parse_month: 2024-03 by cast, 2024/3, 2024年3月, 202403 by pattern, or any date
-- in the month. A month pattern with month 13 gives NULL, and Python says not_a_month.
create or replace temp macro bulk_month(r, fold_from, fold_to, ws) as
    case
        when r is null then null
        when regexp_full_match(r, '\d{4}-\d{2}') and year(try_cast(r || '-01' as date)) >= 1
            then try_cast(r || '-01' as date)
        else list_transform(
            [bulk_fold(r, fold_from, fold_to, ws)],
            lambda f: coalesce(
                bulk_ymd(struct_insert(regexp_extract(f, '^(\d{4}) *[-/.年] *(\d{1,2}) *月?$', ['y', 'm']), d := '1')),
                bulk_ymd(struct_insert(regexp_extract(f, '^(\d{4})(\d{2})$', ['y', 'm']), d := '1')),
                cast(date_trunc('month', bulk_date_text(f)) as date)
            )
        )[1]
    end

-- name: bulk_macro_likert
-- values.parse_likert: a digit 1-5 (also +3, 03, 3.0) or one of the likert words.
create or replace temp macro bulk_likert(r, exact_keys, exact_vals, keys, vals, fold_from, fold_to, ws) as
    case
        when r is null then null
        when strlen(r) = 1 and r >= '1' and r <= '5' then cast(unicode(r) - 48 as tinyint)
        when list_position(exact_keys, r) is not null then exact_vals[list_position(exact_keys, r)]
        else list_transform(
            [bulk_fold(r, fold_from, fold_to, ws)],
            lambda f: coalesce(
                vals[list_position(keys, f)],
                case when regexp_full_match(f, '\+?0*[1-5](\.0*)?') then cast(regexp_extract(f, '[1-5]') as tinyint) end
            )
        )[1]
    end

-- name: bulk_macro_bool
-- values.parse_bool: true/false as written, then every other spelling by word.
create or replace temp macro bulk_bool(r, exact_keys, exact_vals, keys, vals, fold_from, fold_to, ws) as
    case
        when r is null then null
        when r = 'true' then true
        when r = 'false' then false
        else bulk_word(r, exact_keys, exact_vals, keys, vals, fold_from, fold_to, ws)
    end
