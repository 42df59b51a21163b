-- Fewer pages changed per card stored, the hottest write there is. Each
-- index below was one more random page written with every card, and each
-- is served as well by a key that is there anyway:
-- - `scorecards_by_loop`: a loop's cards are found through its stages
--   (`stages (loop_id, position)`) and the cards' own (stage, interviewer)
--   key, where a loop's cards lie together since its stages are made
--   together;
-- - `scorecards_by_interviewer`: someone's cards are found through the
--   panels they sit on (`stage_interviewers_by_user`): only a panel member
--   can send a card, and one who has sent it cannot be swapped out.
DROP INDEX scorecards_by_loop;
DROP INDEX scorecards_by_interviewer;
