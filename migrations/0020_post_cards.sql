-- The list card of each post, apart from its other stored documents (post_documents): a list
-- page reads ten cards, and in post_documents a card shares its row with the full post and the
-- three feed items (about 27 KB), so reading one followed the row's overflow pages; here about
-- two cards fit a page. The card is kept as its UTF-8 bytes (a BLOB), so a page is sent as the
-- stored bytes joined, never decoded into a string and encoded again; `hash` (the SHA-1 of
-- those bytes, base64url) lets a list name its ETag from its cards without hashing its body.
-- Written with the post's documents (posts-documents-repository.ts save); gone with them
-- (ON DELETE CASCADE: the triggers that drop a post's documents when what they show changes
-- drop its card too). The table starts empty: the start-up fill builds every card once (the
-- document format version moved).
CREATE TABLE `post_cards` (
  `post_id` integer PRIMARY KEY NOT NULL REFERENCES `post_documents`(`post_id`) ON DELETE CASCADE,
  `fingerprint` text NOT NULL,
  `hash` text NOT NULL,
  `card` blob NOT NULL
);
