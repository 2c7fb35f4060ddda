-- The roles a Supabase project already has, created for the test cluster so the
-- migrations apply unchanged. PostgREST logs in as authenticator and switches to
-- the role named in the request's JWT (anon when there is none).
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit password 'authenticator';
grant anon, authenticated, service_role to authenticator;
grant usage on schema public to anon, authenticated, service_role;
-- Supabase grants new objects in public to every API role by default; keep that
-- here too, so the migrations' revokes are proven to be what protects the tables.
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
