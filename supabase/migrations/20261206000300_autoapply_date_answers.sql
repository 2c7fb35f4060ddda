-- A date question's answer is a date (issue 34: a start date asked as a date): an
-- answer to a pending question of kind "date" must be a calendar date written
-- YYYY-MM-DD — the one form no country reads another way — else it is refused with
-- "a date is expected, as YYYY-MM-DD" and nothing changes, like the other refusals.
-- answer_pending_questions is otherwise as in 20261206000200. The embedded store's
-- twin is src/store/answering.rs (same message).

create function autoapply_private.is_iso_date(p_text text)
returns boolean language plpgsql immutable set search_path = '' as $$
begin
  return p_text ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'
     and pg_catalog.to_char(p_text::date, 'YYYY-MM-DD') = p_text;
exception when others then
  return false;
end $$;

create or replace function public.answer_pending_questions(p_user_id uuid, p_answers jsonb)
returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  v_profile  jsonb;
  v_given    jsonb;
  v_asked    jsonb;
  v_answer   text;
  v_options  jsonb;
  v_refused  jsonb := '[]'::jsonb;
  v_merged   jsonb;
  v_requeued jsonb := '[]'::jsonb;
  v_waiting  jsonb := '[]'::jsonb;
  v_open     jsonb;
  v_row      record;
  v_i        int := 0;
begin
  if p_user_id is null then
    raise exception 'answer_pending_questions: a user id is required' using errcode = '22023';
  end if;
  if p_answers is null or pg_catalog.jsonb_typeof(p_answers) <> 'array'
     or pg_catalog.jsonb_array_length(p_answers) = 0 then
    raise exception 'answer_pending_questions: no answer given' using errcode = '22023';
  end if;
  for v_given in select value from pg_catalog.jsonb_array_elements(p_answers) loop
    if pg_catalog.jsonb_typeof(v_given) <> 'object'
       or pg_catalog.jsonb_typeof(v_given -> 'question') is distinct from 'string'
       or pg_catalog.jsonb_typeof(v_given -> 'answer') is distinct from 'string'
       or exists (select 1 from pg_catalog.jsonb_object_keys(v_given) k
                   where k not in ('question', 'answer')) then
      raise exception 'answer_pending_questions: each answer must be {"question": text, "answer": text}'
        using errcode = '22023';
    end if;
  end loop;
  select profile into v_profile from public.applicant_profiles
   where user_id = p_user_id for update;
  if not found then
    raise exception 'answer_pending_questions: user % has no applicant profile', p_user_id
      using errcode = '22023';
  end if;
  -- the user's waiting rows, locked in one order
  perform 1 from public.job_applications
   where user_id = p_user_id and status = 'needs_user' and reason = 'unknown_questions'
   order by id for update;

  for v_given in select value from pg_catalog.jsonb_array_elements(p_answers) loop
    v_i := v_i + 1;
    select q into v_asked
      from public.job_applications a,
           pg_catalog.jsonb_array_elements(coalesce(a.pending_questions, '[]'::jsonb)) q
     where a.user_id = p_user_id and a.status = 'needs_user' and a.reason = 'unknown_questions'
       and q ->> 'label' = pg_catalog.btrim(v_given ->> 'question')
     order by a.created_at, a.id
     limit 1;
    v_answer := pg_catalog.btrim(v_given ->> 'answer');
    if v_asked is null then
      v_refused := v_refused || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'question', v_given ->> 'question', 'reason', 'not a question pending for this user'));
    elsif exists (select 1 from pg_catalog.jsonb_array_elements(p_answers) with ordinality e(value, n)
                   where e.n < v_i and autoapply_private.answer_key(e.value ->> 'question')
                                     = autoapply_private.answer_key(v_given ->> 'question')) then
      v_refused := v_refused || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'question', v_given ->> 'question', 'reason', 'answered more than once'));
    elsif v_answer = '' then
      v_refused := v_refused || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
        'question', v_given ->> 'question', 'reason', 'an answer is required'));
    else
      v_options := coalesce(v_asked -> 'options', '[]'::jsonb);
      if (v_asked ->> 'kind' in ('select', 'radio') and not v_options ? v_answer)
         or (v_asked ->> 'kind' = 'checkbox' and exists (
               select 1 from pg_catalog.unnest(pg_catalog.string_to_array(v_answer, ',')) part
                where not v_options ? pg_catalog.btrim(part))) then
        v_refused := v_refused || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
          'question', v_given ->> 'question',
          'reason', 'not one of its options: ' || coalesce(
            (select pg_catalog.string_agg(o, ' | ' order by n)
               from pg_catalog.jsonb_array_elements_text(v_options) with ordinality t(o, n)), '')));
      elsif v_asked -> 'whole_number' = 'true'::jsonb and v_answer !~ '^[0-9]+$' then
        v_refused := v_refused || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
          'question', v_given ->> 'question', 'reason', 'a whole number is expected'));
      elsif v_asked ->> 'kind' = 'date' and not autoapply_private.is_iso_date(v_answer) then
        v_refused := v_refused || pg_catalog.jsonb_build_array(pg_catalog.jsonb_build_object(
          'question', v_given ->> 'question', 'reason', 'a date is expected, as YYYY-MM-DD'));
      end if;
    end if;
  end loop;

  v_merged := coalesce(v_profile -> 'answers', '[]'::jsonb);
  if pg_catalog.jsonb_array_length(v_refused) = 0 then
    -- the earlier answers to these questions out, the new ones in, in the given order
    select coalesce(pg_catalog.jsonb_agg(e.value order by e.n), '[]'::jsonb) into v_merged
      from pg_catalog.jsonb_array_elements(
             case when pg_catalog.jsonb_typeof(v_merged) = 'array' then v_merged else '[]'::jsonb end)
           with ordinality e(value, n)
     where not exists (select 1 from pg_catalog.jsonb_array_elements(p_answers) g
                        where autoapply_private.answer_key(g ->> 'question')
                            = autoapply_private.answer_key(e.value ->> 'question'));
    select v_merged || coalesce(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object(
             'question', pg_catalog.btrim(g.value ->> 'question'),
             'answer', pg_catalog.btrim(g.value ->> 'answer'),
             'answered_at', pg_catalog.to_char(pg_catalog.now() at time zone 'UTC',
                                               'YYYY-MM-DD"T"HH24:MI:SS"Z"')) order by g.n), '[]'::jsonb)
      into v_merged
      from pg_catalog.jsonb_array_elements(p_answers) with ordinality g(value, n);
    update public.applicant_profiles
       set profile = pg_catalog.jsonb_set(profile, '{answers}', v_merged), updated_at = pg_catalog.now()
     where user_id = p_user_id;
  end if;

  for v_row in select id, coalesce(pending_questions, '[]'::jsonb) as pending
                 from public.job_applications
                where user_id = p_user_id and status = 'needs_user' and reason = 'unknown_questions'
                order by created_at, id loop
    select coalesce(pg_catalog.jsonb_agg(q ->> 'label'), '[]'::jsonb) into v_open
      from pg_catalog.jsonb_array_elements(
             case when pg_catalog.jsonb_typeof(v_row.pending) = 'array' then v_row.pending else '[]'::jsonb end) q
     where not exists (select 1 from pg_catalog.jsonb_array_elements(
                          case when pg_catalog.jsonb_typeof(v_merged) = 'array' then v_merged else '[]'::jsonb end) a
                        where autoapply_private.answer_key(a ->> 'question')
                            = autoapply_private.answer_key(q ->> 'label'));
    if pg_catalog.jsonb_array_length(v_open) = 0 and pg_catalog.jsonb_array_length(v_refused) = 0 then
      update public.job_applications
         set status = 'queued', reason = null, pending_questions = null, last_error = null,
             run_at = pg_catalog.now(), updated_at = pg_catalog.now()
       where id = v_row.id;
      v_requeued := v_requeued || pg_catalog.to_jsonb(v_row.id);
    elsif pg_catalog.jsonb_array_length(v_open) > 0 then
      v_waiting := v_waiting || pg_catalog.jsonb_build_array(
        pg_catalog.jsonb_build_object('id', v_row.id, 'questions', v_open));
    end if;
  end loop;
  return pg_catalog.jsonb_build_object(
    'requeued', v_requeued, 'waiting', v_waiting, 'refused', v_refused);
end $$;

revoke all on function public.answer_pending_questions(uuid, jsonb)
  from public, anon, authenticated;
grant execute on function public.answer_pending_questions(uuid, jsonb) to service_role;
revoke all on all functions in schema autoapply_private from public, anon, authenticated;
grant execute on all functions in schema autoapply_private to service_role;
