-- The work list's default order (newest change first) read straight from an index, so a page
-- costs its own rows instead of a sort of every visible work item (found by `lawdesk bench http`).
CREATE INDEX work_items_updated ON work_items(updated_at, id);
-- Comments and attachments of one item in display order.
CREATE INDEX work_comments_item_created ON work_comments(work_item_id, created_at, id);
