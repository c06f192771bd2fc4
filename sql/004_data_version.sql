-- Which loads a classification saw: results are out of date when a later load changed data.
alter table classify_runs add column data_version integer not null default 0;
