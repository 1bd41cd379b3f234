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

-- name: bulk_macro_ws_run
-- A run of the characters Python's str.isspace() accepts (what values.squash makes one space),
-- as an RE2 class (tests/test_bulk.py checks it is exactly Python's set).
create or replace temp macro bulk_ws_run() as
    '[\t\n\x0b\x0c\r\x1c-\x20\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]+'

-- name: bulk_macro_squash
-- values.squash: every run of whitespace made one space, trimmed; '' is missing. A text with
-- no whitespace at its ends, no whitespace but a single space inside, is returned as it is
-- (the cheap test first: most cells end in no whitespace at all).
create or replace temp macro bulk_squash(r) as
    case
        when r is null then null
        when not bulk_may_be_space(unicode(r)) and not bulk_may_be_space(unicode(r[-1]))
            and not regexp_matches(
                r,
                '[\t\n\x0b\x0c\r\x1c-\x1f\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]|  '
            ) then r
        else nullif(trim(regexp_replace(r, bulk_ws_run(), ' ', 'g'), ' '), '')
    end

-- name: bulk_macro_placeholder
-- values.PLACEHOLDERS on a squashed text t: whether fold(t) is one of $ph (a list of folded
-- placeholders). A placeholder has at most 3 characters of at most 4 bytes and starts with
-- -, /, n or N when it starts with ASCII; an ASCII text folds by lower(). Any other text
-- folds exactly through $ph_from -> $ph_to, which maps every character whose NFKC form (lower
-- cased) is made of placeholder characters to that form (and ㎁ to na, the one such form of
-- two characters): a character outside the table is no placeholder character and stays, so
-- the text then matches no placeholder, as in Python.
create or replace temp macro bulk_placeholder(t, ph, ph_from, ph_to) as
    case
        when t is null or strlen(t) > 12 then false
        when unicode(t) < 128 and unicode(t) not in (45, 47, 78, 110) then false
        when strlen(t) = length(t) then list_position(ph, lower(t)) is not null
        -- translate() with the long table costs about 2 µs a cell (0.8 s of a 470,000-row task file's
        -- department names): first a cheap exact rejection. A first character outside the table
        -- (and not ㎁) stays first after the fold, so the text is a placeholder only if some
        -- placeholder starts with it.
        when strpos(ph_from, left(t, 1)) = 0 and left(t, 1) <> '㎁'
            and not list_contains(list_transform(ph, lambda q: left(q, 1)), left(t, 1)) then false
        else list_position(ph, replace(translate(t, ph_from, ph_to), '㎁', 'na')) is not null
    end

-- name: bulk_macro_text
-- values.parse_text: squashed (values.squash: trimmed, whitespace runs and line breaks inside
-- made one space, full-width spaces too), and a placeholder is missing. Text is always
-- decided here, never sent to Python.
create or replace temp macro bulk_text(r, ph, ph_from, ph_to) as
    list_transform(
        [bulk_squash(r)],
        lambda bulk_s: case when bulk_placeholder(bulk_s, ph, ph_from, ph_to) then null else bulk_s end
    )[1]

-- name: bulk_macro_text_clean
-- bulk_text for a file the loader has checked byte by byte: no cell starts or ends with
-- whitespace, and none holds whitespace but single spaces inside (no full-width space, tab
-- or two spaces in a row), so the text is the cell as written, unless it is a placeholder.
create or replace temp macro bulk_text_clean(r, ph, ph_from, ph_to) as
    case when r = '' or bulk_placeholder(r, ph, ph_from, ph_to) then null else r end

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
-- The cell as written when SQL did not decide it (value NULL, cell neither blank nor one of
-- the placeholders $ph, which every parser reads as missing), else NULL.
create or replace temp macro bulk_deferred(v, r, ws, ph, ph_from, ph_to) as
    case
        when v is not null or r is null then null
        when bulk_blank(r, ws) then null
        when list_transform([bulk_squash(r)], lambda bulk_q: bulk_placeholder(bulk_q, ph, ph_from, ph_to))[1] then null
        else r
    end

-- name: bulk_macro_deferred_clean
-- bulk_deferred in a checked file (see bulk_text_clean).
create or replace temp macro bulk_deferred_clean(v, r, ph, ph_from, ph_to) as
    case when v is null and not bulk_placeholder(r, ph, ph_from, ph_to) then nullif(r, '') end

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

-- name: bulk_macro_number_found
-- What numbers and whole numbers both require of their parts: digits were found, and the
-- unit after them is none or one of the column's (units).
create or replace temp macro bulk_number_found(parts, units) as
    parts.whole <> '' and (parts.unit = '' or list_position(units, parts.unit) is not null)

-- name: bulk_macro_digits
-- The digits of a number's parts, without the commas or spaces that group them in threes.
create or replace temp macro bulk_digits(parts) as replace(replace(parts.whole, ',', ''), ' ', '')

-- name: bulk_macro_number_value
-- values.parse_number on the parts: the unit must be the column's (units), at most 20
-- digits each side (so the cast reads exactly what float() reads).
create or replace temp macro bulk_number_value(parts, units) as
    list_transform(
        [parts],
        lambda p: case
            when bulk_number_found(p, units) and length(p.whole) <= 20 and length(p.fraction) <= 21
                then cast(p.sign || bulk_digits(p) || p.fraction as double)
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
            when bulk_number_found(p, units) and regexp_full_match(p.fraction, '(\.0+)?')
                and length(bulk_digits(p)) <= 18
                then cast(p.sign || bulk_digits(p) as bigint)
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
-- spelling by pattern. Excel serial numbers and months without a day match no pattern:
-- Python reads them, with a notice.
create or replace temp macro bulk_date(r, fold_from, fold_to, ws) as
    case
        when r is null then null
        when regexp_full_match(r, '\d{4}-\d{2}-\d{2}') and year(try_cast(r as date)) >= 1 then try_cast(r as date)
        else list_transform([bulk_fold(r, fold_from, fold_to, ws)], lambda f: bulk_date_text(f))[1]
    end

-- name: bulk_macro_month
-- values.parse_month: 2024-03 by cast, 2024/3, 2024年3月, 202403 by pattern, or any date
-- in the month. A month pattern with month 13 gives NULL, and Python says not_a_month;
-- 2024.1 gives NULL, and Python says ambiguous_month. Excel serial numbers (45536) match
-- no pattern: Python reads them, with a notice.
create or replace temp macro bulk_month(r, fold_from, fold_to, ws) as
    case
        when r is null then null
        when regexp_full_match(r, '\d{4}-\d{2}') and year(try_cast(r || '-01' as date)) >= 1
            then try_cast(r || '-01' as date)
        else list_transform(
            [bulk_fold(r, fold_from, fold_to, ws)],
            lambda f: case
                when regexp_full_match(f, '\d{4}\.1') then null  -- 2024.1: January, or October shortened by Excel
                else coalesce(
                    bulk_ymd(struct_insert(regexp_extract(f, '^(\d{4}) *[-/.年] *(\d{1,2}) *月?$', ['y', 'm']), d := '1')),
                    bulk_ymd(struct_insert(regexp_extract(f, '^(\d{4})(\d{2})$', ['y', 'm']), d := '1')),
                    cast(date_trunc('month', bulk_date_text(f)) as date)
                )
            end
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
