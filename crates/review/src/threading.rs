//! Email threading (JWZ-style, by Message-ID, In-Reply-To and References, with a subject and participant
//! fallback) and inclusive-email detection, so reviewers can read a thread's inclusive emails and skip the
//! messages whose text they will see quoted in a later reply anyway.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use crate::mail::{addresses, message_ids, normalize_subject, parse_date, parse_message};

/// What threading needs to know about one email.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Email {
    pub message_id: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub subject: String,
    /// Lowercased addresses (see [`crate::mail::addresses`]).
    pub from: Vec<String>,
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub date: Option<DateTime<Utc>>,
    /// Plain text body, quoted text included.
    pub body: String,
    /// Hashes of the attachments.
    pub attachments: Vec<String>,
}

impl Email {
    /// Reads the threading fields from a raw RFC 5322 message (no MIME decoding of the body).
    pub fn from_raw(raw: &str) -> Email {
        let (headers, body) = parse_message(raw);
        let all_addresses =
            |name: &str| headers.get_all(name).flat_map(addresses).collect::<Vec<_>>();
        Email {
            message_id: headers.get("Message-ID").and_then(|v| message_ids(v).into_iter().next()),
            in_reply_to: headers.get("In-Reply-To").map(message_ids).unwrap_or_default(),
            references: headers.get_all("References").flat_map(message_ids).collect(),
            subject: headers.get("Subject").unwrap_or_default().to_string(),
            from: all_addresses("From"),
            to: all_addresses("To"),
            cc: all_addresses("Cc"),
            date: headers.get("Date").and_then(parse_date),
            body: body.to_string(),
            attachments: Vec::new(),
        }
    }

    fn participants(&self) -> impl Iterator<Item = &String> {
        self.from.iter().chain(&self.to).chain(&self.cc)
    }
}

/// Why an email is inclusive (the first reason that applies, in this order).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InclusiveReason {
    /// Nothing replies to it.
    Leaf,
    /// It has an attachment that no reply below it carries.
    UniqueAttachment,
    /// Its own text is not quoted in full by any reply below it.
    UniqueText,
}

/// The place of one email in its thread (indices refer to the input slice).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ThreadedEmail {
    pub thread: usize,
    pub parent: Option<usize>,
    /// Direct replies, by date then input order.
    pub children: Vec<usize>,
    pub depth: usize,
    /// True when the email was attached to its thread by the subject fallback rather than by ids.
    pub joined_by_subject: bool,
    /// `Some` for inclusive emails: the ones a reviewer must read.
    pub inclusive: Option<InclusiveReason>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thread {
    pub id: usize,
    /// Emails without a parent in the thread (several when the common ancestor is missing).
    pub roots: Vec<usize>,
    /// All emails of the thread, in input order.
    pub members: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Threading {
    pub emails: Vec<ThreadedEmail>,
    /// Threads, numbered by their first member in input order.
    pub threads: Vec<Thread>,
}

impl Threading {
    /// An indented text tree of every thread: `#index subject` per email, inclusive ones marked.
    pub fn render(&self, emails: &[Email]) -> String {
        let mut out = String::new();
        for thread in &self.threads {
            out.push_str(&format!("thread {} ({} emails)\n", thread.id, thread.members.len()));
            let mut stack: Vec<usize> = thread.roots.iter().rev().copied().collect();
            while let Some(i) = stack.pop() {
                let e = &self.emails[i];
                let mark = match e.inclusive {
                    Some(reason) => format!(" [inclusive: {reason:?}]"),
                    None => String::new(),
                };
                let via = if e.joined_by_subject { " (by subject)" } else { "" };
                out.push_str(&format!(
                    "{}#{i} {}{via}{mark}\n",
                    "  ".repeat(e.depth + 1),
                    emails[i].subject
                ));
                stack.extend(e.children.iter().rev());
            }
        }
        out
    }
}

#[derive(Debug, Default)]
struct Container {
    message: Option<usize>,
    parent: Option<usize>,
    children: Vec<usize>,
    by_subject: bool,
}

struct Forest {
    nodes: Vec<Container>,
    by_id: HashMap<String, usize>,
}

impl Forest {
    fn node_for(&mut self, id: &str) -> usize {
        if let Some(&n) = self.by_id.get(id) {
            return n;
        }
        self.nodes.push(Container::default());
        let n = self.nodes.len() - 1;
        self.by_id.insert(id.to_string(), n);
        n
    }

    fn is_ancestor(&self, ancestor: usize, mut node: usize) -> bool {
        loop {
            if node == ancestor {
                return true;
            }
            match self.nodes[node].parent {
                Some(p) => node = p,
                None => return false,
            }
        }
    }

    /// Makes `parent` the parent of `child` unless that would create a loop.
    fn link(&mut self, parent: usize, child: usize) {
        if self.is_ancestor(child, parent) {
            return;
        }
        if let Some(old) = self.nodes[child].parent {
            self.nodes[old].children.retain(|&c| c != child);
        }
        self.nodes[child].parent = Some(parent);
        self.nodes[parent].children.push(child);
    }

    fn root_of(&self, mut node: usize) -> usize {
        while let Some(p) = self.nodes[node].parent {
            node = p;
        }
        node
    }

    fn subtree_messages(&self, node: usize, out: &mut Vec<usize>) {
        if let Some(m) = self.nodes[node].message {
            out.push(m);
        }
        for &c in &self.nodes[node].children {
            self.subtree_messages(c, out);
        }
    }
}

/// Threads the emails. Deterministic: the result depends only on the emails and their order.
pub fn thread(emails: &[Email]) -> Threading {
    let mut forest = Forest { nodes: Vec::new(), by_id: HashMap::new() };
    let mut node_of = Vec::with_capacity(emails.len());
    for (i, email) in emails.iter().enumerate() {
        let node = match &email.message_id {
            Some(id) if forest.by_id.get(id).is_none_or(|&n| forest.nodes[n].message.is_none()) => {
                forest.node_for(id)
            }
            // No id, or a second message with the same id: its own container, reachable by nobody.
            _ => {
                forest.nodes.push(Container::default());
                forest.nodes.len() - 1
            }
        };
        forest.nodes[node].message = Some(i);
        node_of.push(node);

        let mut refs: Vec<&str> = email.references.iter().map(String::as_str).collect();
        if let Some(reply_to) = email.in_reply_to.first()
            && refs.last() != Some(&reply_to.as_str())
        {
            refs.retain(|r| r != reply_to);
            refs.push(reply_to);
        }
        refs.retain(|r| Some(*r) != email.message_id.as_deref());
        // References give the ancestry; earlier links are only filled in where still unknown (JWZ).
        for pair in refs.windows(2) {
            let (parent, child) = (forest.node_for(pair[0]), forest.node_for(pair[1]));
            if forest.nodes[child].parent.is_none() {
                forest.link(parent, child);
            }
        }
        // The message's own last reference is authoritative for its parent.
        if let Some(last) = refs.last() {
            let parent = forest.node_for(last);
            forest.link(parent, node);
        }
    }

    join_by_subject(&mut forest, emails, &node_of);

    // Message-level tree: the parent is the nearest ancestor container holding a message.
    let mut threaded: Vec<ThreadedEmail> = Vec::with_capacity(emails.len());
    for &node in &node_of {
        let mut parent = None;
        let mut by_subject = forest.nodes[node].by_subject;
        let mut cursor = forest.nodes[node].parent;
        while let Some(c) = cursor {
            if let Some(m) = forest.nodes[c].message {
                parent = Some(m);
                break;
            }
            by_subject |= forest.nodes[c].by_subject;
            cursor = forest.nodes[c].parent;
        }
        threaded.push(ThreadedEmail {
            thread: 0,
            parent,
            children: Vec::new(),
            depth: 0,
            joined_by_subject: by_subject,
            inclusive: None,
        });
    }
    let order_key = |i: usize| (emails[i].date, i);
    for i in 0..emails.len() {
        if let Some(p) = threaded[i].parent {
            threaded[p].children.push(i);
        }
    }
    for t in &mut threaded {
        t.children.sort_by_key(|&c| order_key(c));
    }

    let mut by_root: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, &node) in node_of.iter().enumerate() {
        by_root.entry(forest.root_of(node)).or_default().push(i);
    }
    let mut groups: Vec<Vec<usize>> = by_root.into_values().collect();
    groups.sort_by_key(|members| members[0]);
    let mut threads = Vec::with_capacity(groups.len());
    for (id, members) in groups.into_iter().enumerate() {
        let mut roots: Vec<usize> =
            members.iter().copied().filter(|&m| threaded[m].parent.is_none()).collect();
        roots.sort_by_key(|&r| order_key(r));
        let mut stack: Vec<(usize, usize)> = roots.iter().map(|&r| (r, 0)).collect();
        while let Some((m, depth)) = stack.pop() {
            threaded[m].thread = id;
            threaded[m].depth = depth;
            stack.extend(threaded[m].children.iter().map(|&c| (c, depth + 1)));
        }
        threads.push(Thread { id, roots, members });
    }

    mark_inclusive(emails, &mut threaded);
    Threading { emails: threaded, threads }
}

/// Attaches a root whose top email has a reply prefix (`Re:`, `Fw:`, …) to the earliest earlier root with
/// the same normalized subject that shares a participant. Independent emails that merely share a subject
/// ("Weekly report") stay apart, because neither claims to be a reply.
fn join_by_subject(forest: &mut Forest, emails: &[Email], node_of: &[usize]) {
    struct RootInfo {
        node: usize,
        first: (Option<DateTime<Utc>>, usize),
        subject: String,
        is_reply: bool,
        participants: BTreeSet<String>,
    }
    let roots: BTreeSet<usize> = node_of.iter().map(|&n| forest.root_of(n)).collect();
    let mut infos: Vec<RootInfo> = Vec::new();
    for root in roots {
        let mut members = Vec::new();
        forest.subtree_messages(root, &mut members);
        let Some(&top) = members.iter().min_by_key(|&&m| (emails[m].date, m)) else {
            continue;
        };
        let subject = normalize_subject(&emails[top].subject);
        if subject.is_empty() {
            continue;
        }
        infos.push(RootInfo {
            node: root,
            first: (emails[top].date, top),
            is_reply: subject != crate::text::fold_whitespace(&emails[top].subject).to_lowercase(),
            subject,
            participants: members.iter().flat_map(|&m| emails[m].participants().cloned()).collect(),
        });
    }
    infos.sort_by(|a, b| (&a.subject, a.first).cmp(&(&b.subject, b.first)));
    for (i, info) in infos.iter().enumerate() {
        if !info.is_reply {
            continue;
        }
        let target = infos[..i]
            .iter()
            .filter(|earlier| earlier.subject == info.subject)
            .find(|earlier| !earlier.participants.is_disjoint(&info.participants));
        if let Some(target) = target {
            let target_root = forest.root_of(target.node);
            forest.link(target_root, info.node);
            forest.nodes[info.node].by_subject = true;
        }
    }
}

/// The email's own words: quoted lines (`>`), everything after a signature delimiter (`-- `) and
/// everything from an Outlook-style quoted original on are left out.
fn own_words(body: &str) -> String {
    let mut kept = Vec::new();
    for line in body.lines() {
        let trimmed = line.trim();
        if trimmed == "--"
            || line.trim_end_matches('\r') == "-- "
            || trimmed.starts_with("-----Original Message-----")
            || trimmed.starts_with("----- Forwarded by")
            || trimmed.starts_with("---------------------- Forwarded by")
        {
            break;
        }
        if !trimmed.starts_with('>') {
            kept.push(line);
        }
    }
    crate::text::words(&kept.join("\n")).join(" ")
}

fn mark_inclusive(emails: &[Email], threaded: &mut [ThreadedEmail]) {
    let full_words: Vec<String> =
        emails.iter().map(|e| format!(" {} ", crate::text::words(&e.body).join(" "))).collect();
    for i in 0..emails.len() {
        if threaded[i].children.is_empty() {
            threaded[i].inclusive = Some(InclusiveReason::Leaf);
            continue;
        }
        let mut descendants = Vec::new();
        let mut stack = threaded[i].children.clone();
        while let Some(d) = stack.pop() {
            descendants.push(d);
            stack.extend(&threaded[d].children);
        }
        let later_attachments: BTreeSet<&String> =
            descendants.iter().flat_map(|&d| &emails[d].attachments).collect();
        if emails[i].attachments.iter().any(|a| !later_attachments.contains(a)) {
            threaded[i].inclusive = Some(InclusiveReason::UniqueAttachment);
            continue;
        }
        let own = own_words(&emails[i].body);
        let needle = format!(" {own} ");
        if !own.is_empty() && !descendants.iter().any(|&d| full_words[d].contains(&needle)) {
            threaded[i].inclusive = Some(InclusiveReason::UniqueText);
        }
    }
}

#[cfg(test)]
mod tests {
    use expect_test::expect;

    use super::*;

    fn raw(id: &str, headers: &str, subject: &str, date: &str, body: &str) -> Email {
        Email::from_raw(&format!(
            "Message-ID: <{id}>\nFrom: Ann <ann@x.com>\nTo: bob@x.com\nSubject: {subject}\nDate: {date}\n{headers}\n{body}"
        ))
    }

    #[test]
    fn threads_by_ids_with_missing_parent_and_subject_fallback() {
        let emails = vec![
            raw(
                "a@x",
                "",
                "Budget",
                "Mon, 1 Oct 2001 09:00:00 +0000",
                "Please approve the budget for Q4.\n",
            ),
            raw(
                "b@x",
                "In-Reply-To: <a@x>\nReferences: <a@x>\n",
                "RE: Budget",
                "Mon, 1 Oct 2001 10:00:00 +0000",
                "Approved.\n\n-----Original Message-----\nPlease approve the budget for Q4.\n",
            ),
            // Its parent (<missing@x>) was never collected, but References still put it under <a@x>.
            raw(
                "c@x",
                "References: <a@x> <missing@x>\nIn-Reply-To: <missing@x>\n",
                "Re: Budget",
                "Mon, 1 Oct 2001 12:00:00 +0000",
                "> Something we do not have\nWhat about travel?\n",
            ),
            // No ids at all: joined by subject and a shared participant.
            raw("d@x", "", "Fwd: budget", "Tue, 2 Oct 2001 08:00:00 +0000", "FYI\n"),
            // Same subject without a reply prefix: an independent email.
            raw("e@x", "", "Budget", "Wed, 3 Oct 2001 08:00:00 +0000", "A different budget.\n"),
            raw(
                "f@x",
                "In-Reply-To: <zzz@x>\n",
                "Lunch",
                "Wed, 3 Oct 2001 08:00:00 +0000",
                "Noon?\n",
            ),
        ];
        let threading = thread(&emails);
        expect![[r#"
            thread 0 (4 emails)
              #0 Budget
                #1 RE: Budget [inclusive: Leaf]
                #2 Re: Budget [inclusive: Leaf]
                #3 Fwd: budget (by subject) [inclusive: Leaf]
            thread 1 (1 emails)
              #4 Budget [inclusive: Leaf]
            thread 2 (1 emails)
              #5 Lunch [inclusive: Leaf]
        "#]]
        .assert_eq(&threading.render(&emails));
        assert_eq!(threading.emails[2].parent, Some(0));
        assert_eq!(threading.emails[2].depth, 1);
    }

    #[test]
    fn inclusive_emails() {
        let original = "Can we fix the price at 20?\n\n-- \nAnn\nEnron Corp\n";
        let emails = vec![
            raw("1@x", "", "Price", "Mon, 1 Oct 2001 09:00:00 +0000", original),
            raw(
                "2@x",
                "In-Reply-To: <1@x>\n",
                "Re: Price",
                "Mon, 1 Oct 2001 10:00:00 +0000",
                "No, 25.\n\nOn Monday Ann wrote:\n> Can we fix the\n> price at 20?\n",
            ),
            raw(
                "3@x",
                "In-Reply-To: <2@x>\n",
                "Re: Price",
                "Mon, 1 Oct 2001 11:00:00 +0000",
                "Agreed, 25.\n",
            ),
        ];
        let mut with_attachment = emails.clone();
        with_attachment[0].attachments.push("md5-of-term-sheet".into());
        let threading = thread(&emails);
        let reasons: Vec<_> = threading.emails.iter().map(|e| e.inclusive).collect();
        // 1 is quoted in full by 2 (signature aside); 2 is not quoted by 3.
        assert_eq!(
            reasons,
            vec![None, Some(InclusiveReason::UniqueText), Some(InclusiveReason::Leaf)]
        );
        let threading = thread(&with_attachment);
        assert_eq!(threading.emails[0].inclusive, Some(InclusiveReason::UniqueAttachment));
    }

    #[test]
    fn survives_loops_and_duplicate_ids() {
        let emails = vec![
            raw("a@x", "References: <b@x>\n", "x", "", ""),
            raw("b@x", "References: <a@x>\n", "x", "", ""),
            raw("a@x", "", "copy", "", ""),
        ];
        let threading = thread(&emails);
        assert_eq!(threading.threads.len(), 2);
        assert_eq!(threading.threads[0].members, vec![0, 1]);
        assert_eq!(threading.threads[0].roots.len(), 1);
    }
}
