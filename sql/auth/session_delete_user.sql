-- End every session of a user (password change, user removal).
delete from sessions
where username = :username
