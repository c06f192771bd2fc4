-- Add one user (the caller removes an existing one of that name first).
insert into users (username, password_hash, role, scope, display_name, created_at)
values ($username, $password_hash, $role, $scope, $display_name, current_timestamp)
