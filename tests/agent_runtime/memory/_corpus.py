"""A small labelled retrieval set: eight policy documents of one made-up company, and questions.

The documents share a domain and a vocabulary (days, euros, approval, managers, forms),
so retrieval must tell them apart by meaning; three are distractors no question asks
about. Each question is worded differently from its answer, and is labelled with a
phrase found only in the passage that answers it.
"""

from __future__ import annotations

DOCUMENTS: dict[str, str] = {
    "leave.md": """# Leave and holidays at Brightwell

Every full-time employee receives 27 days of paid annual leave per calendar year, in
addition to public holidays. Part-time staff receive a pro-rata share based on their
contracted hours. Unused leave of up to five days may be carried into the first quarter
of the next year; anything beyond that lapses on 31 December.

Requests for leave longer than two consecutive weeks must be submitted at least six
weeks in advance through the HR portal, and need the approval of the team lead. Shorter
requests need one week of notice.

If you are ill, tell your manager before 10:00 on the first day of absence. From the
fourth consecutive day of sickness a doctor's certificate is required. Sick days do not
reduce your annual leave.

New parents are entitled to 20 weeks of fully paid parental leave, which can be taken
in up to three blocks within the child's first two years. Employees may also take two
days of paid volunteering leave each year to support a registered charity.
""",
    "expenses.md": """# Travel and expenses

Book all flights and trains through the travel desk at least fourteen days before
departure. Economy class is the rule for flights under six hours; premium economy is
allowed for longer flights. Rail travel is always preferred for journeys under four
hours.

Hotel costs are reimbursed up to 180 euros per night in capital cities and 120 euros
elsewhere. The daily meal allowance while travelling is 45 euros; alcohol is never
reimbursed.

Submit expense claims within 30 days of the cost, with an itemised receipt photographed
in the expenses app. Claims above 500 euros need your director's sign-off. Approved
claims are paid with the next monthly salary run.

When you drive your own car for business, mileage is paid at 0.30 euros per kilometre.
Parking fines and speeding tickets are your own responsibility.
""",
    "security.md": """# Information security

Passwords must be at least 14 characters long, and a password manager is provided to
every employee. Never reuse a work password on any other site. Multi-factor
authentication with the hardware key is mandatory for email, the code repository and
the VPN.

Lock your screen whenever you leave your desk, even for a minute. Laptops are
encrypted at rest; if a laptop or phone is lost or stolen, report it to the security
hotline within one hour so that it can be wiped remotely.

Suspicious emails must be forwarded to phishing@brightwell.example and then deleted.
Do not click links in messages that ask for your credentials. The security team runs a
simulated phishing exercise every quarter.

Customer data may only be stored in approved systems located in the EU. Copying
customer records to USB sticks or personal cloud storage is forbidden.
""",
    "office.md": """# Working at the office

The Lisbon office is open from 07:00 to 21:00 on weekdays; outside those hours the
building requires your badge and a registered reason. Desks are shared and booked in
the desk app up to two weeks ahead.

Hybrid work is the default: teams agree on two anchor days a week when everyone comes
in. Fully remote work from another country is allowed for up to 30 days a year after
HR has checked the tax rules.

Lunch in the canteen is subsidised, and fruit and coffee are free all day. Bicycles can
be parked in the basement garage, where there are showers and lockers.

Visitors must be registered at reception the day before they come and wear a visitor
badge at all times. Meeting rooms for more than eight people are booked through the
facilities team.
""",
    "onboarding.md": """# Your first weeks

On your first day, collect your laptop and hardware key from the IT service point on
the second floor; your buddy will meet you at reception at 09:30. The welcome session
with the founders takes place on the first Monday of each month.

During the first 90 days you are on probation. Your manager holds check-ins at 30, 60
and 90 days, and either side may end the contract with one week of notice during this
period.

Every newcomer completes the compliance training in the learning platform within the
first two weeks. Your learning budget is 1,500 euros per year for courses, books and
conferences, approved by your manager.

Salaries are paid on the 25th of every month. Pension contributions start
automatically after probation, with the company matching up to 5 percent of salary.
""",
    # Distractors: same company, same vocabulary, no question is about them.
    "benefits.md": """# Benefits

Brightwell pays for private health insurance for every employee and their children,
starting on the first day of employment. Dental care is covered up to 600 euros per
year; glasses and contact lenses up to 250 euros every two years.

Employees who commute by public transport receive a monthly pass, or 40 euros per month
towards a shared bike scheme. The company gym in the basement is free and open every
day from 06:00.

Once a year every employee may ask for a free health check with the company doctor,
booked through the HR portal. Counselling sessions with an external provider are
confidential and free, up to eight sessions a year.

After five years of service employees receive an extra week of paid leave once, to be
taken within the following twelve months.
""",
    "conduct.md": """# Code of conduct

We treat colleagues, customers and suppliers with respect. Harassment or discrimination
of any kind is not tolerated and can be reported anonymously through the speak-up line,
which is run by an independent company.

Gifts from suppliers worth more than 50 euros must be declared to your manager and the
compliance team, and gifts of cash are always refused. Invitations to events need the
approval of your director in advance.

Conflicts of interest, such as a family member working for a supplier, must be
disclosed in the compliance form within ten working days of becoming aware of them.

Speaking to journalists on behalf of the company is reserved for the communications
team. Posts about your work on social media must not reveal customer names or
confidential plans.
""",
    "it-support.md": """# IT support

The service desk answers tickets from 08:00 to 18:00 on weekdays; urgent problems
outside those hours go to the on-call engineer by phone. Most tickets are answered
within four working hours.

Software from the company catalogue can be installed by yourself; anything else needs a
request with a business reason, reviewed by the architecture team within five days.

Monitors, keyboards and headsets for home working can be ordered once every three years
through the hardware shop, up to 400 euros in total. Broken equipment is swapped at the
service desk.

Backups of your laptop run automatically every night while it is connected to the
network. Files kept only on the desktop are not backed up.
""",
}

#: (question, a phrase found only in the passage that answers it)
QUESTIONS: list[tuple[str, str]] = [
    ("How many vacation days do I get each year?", "27 days of paid annual leave"),
    ("Can I keep holidays I did not use for next year?", "carried into the first quarter"),
    ("How early must I ask for a three-week holiday?", "at least six weeks in advance"),
    ("When do I need a note from the doctor?", "doctor's certificate"),
    ("How long is leave for a new baby?", "20 weeks of fully paid parental leave"),
    ("Can I take time off to help a charity?", "volunteering leave"),
    ("Can I fly business class to a conference?", "Economy class is the rule"),
    ("What is the maximum hotel price in a capital?", "180 euros per night"),
    ("How much can I spend on food per day on a trip?", "meal allowance"),
    ("Who must approve a large expense claim?", "director's sign-off"),
    ("What do I get paid for using my own car?", "0.30 euros per kilometre"),
    ("How long should my password be?", "at least 14 characters"),
    ("I lost my laptop, what should I do?", "security hotline within one hour"),
    ("What should I do with a phishing email?", "phishing@brightwell.example"),
    ("May I save client data on a memory stick?", "USB sticks"),
    ("What are the office opening hours?", "07:00 to 21:00"),
    ("How many days a week do we have to be in the office?", "two anchor days"),
    ("Can I work from abroad for a while?", "another country is allowed"),
    ("Where can I leave my bike?", "basement garage"),
    ("How do I bring a guest to the office?", "Visitors must be registered"),
    ("Where do I pick up my computer on day one?", "IT service point"),
    ("How long is the trial period for new hires?", "first 90 days you are on probation"),
    ("Is there money for training and books?", "learning budget is 1,500 euros"),
    ("On what date is salary paid?", "25th of every month"),
    ("Does the company contribute to my retirement?", "Pension contributions"),
]
