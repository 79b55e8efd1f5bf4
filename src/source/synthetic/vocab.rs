//! Names and places of each nationality, as the randomuser.me v1.4 API writes them: the first
//! names by gender, last names, streets, cities and states seen in its answers. Spellings are
//! kept exactly, including the API's oddities (trailing spaces in some Brazilian and Serbian
//! street names, mixed Arabic and Persian letters in Iranian names).

/// The words one nationality's users are made of. Every list is non-empty.
pub(super) struct Words {
    pub male: &'static [&'static str],
    pub female: &'static [&'static str],
    pub last: &'static [&'static str],
    pub streets: &'static [&'static str],
    pub cities: &'static [&'static str],
    pub states: &'static [&'static str],
}

/// Usernames are an adjective, an animal and a number: `saddog141`.
#[rustfmt::skip]
pub(super) const ADJECTIVES: &[&str] = &[
    "angry", "beautiful", "big", "black", "blue", "brown", "crazy", "golden", "green", "happy",
    "heavy", "lazy", "orange", "organic", "purple", "red", "sad", "silver", "small", "ticklish",
    "tiny", "white", "yellow",
];

#[rustfmt::skip]
pub(super) const ANIMALS: &[&str] = &[
    "bear", "bird", "butterfly", "cat", "dog", "duck", "elephant", "fish", "frog", "goose",
    "gorilla", "koala", "ladybug", "leopard", "lion", "meercat", "mouse", "ostrich", "panda",
    "peacock", "rabbit", "snake", "swan", "tiger", "wolf", "zebra",
];

#[rustfmt::skip]
pub(super) static AU: Words = Words {
    male: &[
        "Darrell", "Tracy", "Fred", "Matthew", "Tony", "Adam", "Terry", "Ronald", "Peter", "Ben",
        "Brent", "John", "Tyrone", "Micheal", "Wallace", "Arron", "Charlie", "Thomas", "Alan",
        "Jeffrey", "Billy", "Daniel", "Johnny", "Ivan", "Bob", "Carlos",
    ],
    female: &[
        "Catherine", "Gertrude", "Camila", "Annette", "Denise", "Stella", "Debra", "Arlene",
        "Alexa", "Nevaeh", "Connie", "Kristin", "Samantha", "Vivan", "June", "Tanya", "Avery",
        "Savannah",
    ],
    last: &[
        "Lowe", "Cruz", "Woods", "Washington", "Barnett", "Adams", "Rivera", "Morales", "Scott",
        "Wade", "Pierce", "Hunter", "Butler", "Perry", "Garrett", "Gonzales", "Jennings", "Bates",
        "Rice", "Castillo", "Griffin", "Alexander", "May", "Hansen", "Graham", "Jones", "Campbell",
        "Carlson", "Graves", "Frazier", "Morgan", "Bryant", "Burke", "Henry", "Lane", "Ramirez",
        "Rodriguez", "Stone", "Lambert", "Thomas", "Long", "Fernandez",
    ],
    streets: &[
        "Rolling Green Rd", "Oak Ridge Ln", "Valwood Pkwy", "Royal Ln", "W Pecan St",
        "Samaritan Dr", "Dogwood Ave", "Mcclellan Rd", "Shady Ln Dr", "W Belt Line Rd", "Spring St",
        "Daisy Dr", "Forest Ln", "Pecan Acres Ln", "Spring Hill Rd", "Mcgowen St", "Parker Rd",
        "Bruce St", "Lakeshore Rd", "W Dallas St", "Thornridge Cir", "Cackson St", "Brown Terrace",
        "Taylor St", "Hickory Creek Dr", "W Gray St", "Walnut Hill Ln", "Northaven Rd", "Plum St",
        "Ranchview Dr", "Cherry St", "Woodland St", "Country Club Rd", "Depaul Dr", "College St",
    ],
    cities: &[
        "Sunshine Coast", "Sydney", "Albury", "Coffs Harbour", "Darwin", "Bathurst", "Bowral",
        "Mildura", "Gladstone", "Traralgon", "Bunbury", "Ballarat", "Kalgoorlie", "Maitland",
        "Bendigo", "Port Macquarie", "Warragul", "Devonport", "Rockhampton", "Geelong", "Perth",
        "Hervey Bay", "Townsville", "Launceston", "Dubbo", "Geraldton",
    ],
    states: &[
        "Australian Capital Territory", "Western Australia", "Queensland", "New South Wales",
        "South Australia", "Victoria", "Northern Territory", "Tasmania",
    ],
};

#[rustfmt::skip]
pub(super) static BR: Words = Words {
    male: &[
        "Edmur", "Alarico", "Edo", "Rodolfo", "Luzio", "Hernâni", "Marino", "Maximiano", "Evêncio",
        "Ivaldo", "Gonçalo", "Herédio", "Benevenuto", "Bibiano", "Nobre", "Job", "Aminadabe",
        "Amândio", "Assis", "Guadalberto", "Bruce", "Jonas", "Almiro", "Feliz", "Herculano",
        "Garcia", "Simplício",
    ],
    female: &[
        "Geruza", "Darciana", "Crispiana", "Sândi", "Dena", "Orlanda", "Lísia", "Aurélia",
        "Eugênia", "Ceres", "Maiara", "Erundina", "Clarisse",
    ],
    last: &[
        "das Neves", "Costa", "Moraes", "Sales", "Cavalcanti", "Rocha", "Ribeiro", "Farias",
        "Ferreira", "Alves", "Cardoso", "Moreira", "de Souza", "Pereira", "da Paz", "da Luz",
        "da Cruz", "Viana", "Novaes", "da Rocha", "Ramos", "Fogaça", "Aragão", "Vieira", "Silveira",
        "da Conceição", "Caldeira", "Silva", "Campos", "da Mota", "Dias", "Almeida", "Carvalho",
    ],
    streets: &[
        "Rua Um", "Rua Alagoas ", "Rua Paraíba ", "Rua da Paz ", "Rua Dois", "Rua Rui Barbosa ",
        "Rua Piauí ", "Rua Quatro", "Rua São Jorge ", "Rua João Xxiii", "Rua São Luiz ",
        "Rua Castro Alves ", "Rua Paraná ", "Rua São Paulo ", "Rua São Pedro ", "Rua Amazonas ",
        "Rua São Sebastiao ", "Rua Maranhão ", "Rua Bela Vista ", "Avenida da Legalidade",
        "Rua Santo Antônio ", "Rua da Saudade", "Rua Vinte E Um", "Rua Tiradentes ",
        "Rua Treze de Maio ", "Avenida da Democracia", "Rua Minas Gerais ", "Rua Das Flores ",
        "Rua Dom Pedro Ii ", "Rua Duque de Caxias ", "Rua Pernambuco ",
    ],
    cities: &[
        "Rio Branco", "Ibirité", "Taboão da Serra", "Uberaba", "Campinas", "Barueri", "Maringá",
        "Bauru", "Sabará", "Umuarama", "Brusque", "Coronel Fabriciano", "Votorantim", "Luziânia",
        "Maricá", "Teresópolis", "Goiânia", "Novo Hamburgo", "Alvorada", "Santana", "Vespasiano",
        "Timon", "Curitiba", "Araruama", "Guarujá", "Bagé", "Porto Alegre", "Ipatinga", "Manaus",
        "Ribeirão das Neves", "Mauá", "Diadema", "Florianópolis", "Santarém", "Campo Grande",
        "Guarapuava",
    ],
    states: &[
        "Amazonas", "Paraná", "Maranhão", "Acre", "Alagoas", "Tocantins", "Pará", "Roraima",
        "Mato Grosso", "Goiás", "Bahia", "Rio de Janeiro", "Piauí", "Pernambuco",
        "Mato Grosso do Sul", "Rondônia", "Rio Grande do Norte", "Distrito Federal", "Amapá",
    ],
};

#[rustfmt::skip]
pub(super) static CA: Words = Words {
    male: &[
        "Jayden", "Gabriel", "Alexis", "Jacob", "Victor", "Etienne", "Hunter", "Noah", "Arthur",
        "James", "Elliot", "Zachary", "Emile", "Vincent", "David", "Maxime",
    ],
    female: &[
        "Laurie", "Alexis", "Addison", "Maya", "Camille", "Alicia", "Maeva", "Justine", "Leanne",
        "Sarah", "Sophie", "Aubree", "Abigail", "Mia", "Gabrielle", "Chloe", "Lea", "Eva",
        "Florence",
    ],
    last: &[
        "Claire", "Chow", "Brown", "Chan", "Roy", "Denys", "Scott", "Kowalski", "Brar", "Williams",
        "Ma", "Jones", "Knight", "Park", "Addy", "Jean-Baptiste", "Lavigne", "Lavoie", "Gagné",
        "Barnaby", "Anderson", "Smith", "Côté", "Mitchell", "Tremblay", "Grewal", "Clark", "Miller",
        "Bouchard", "Johnson",
    ],
    streets: &[
        "Tecumseh Rd", "22nd Ave", "Concession Road 23", "Stanley Way", "Park Rd", "Grand Ave",
        "Victoria Ave", "Queen St", "Main St", "Concession Road 6", "Arctic Way", "King St",
        "Lake of Bays Road", "9th St", "Elgin St", "Alfred St", "Argyle St", "Regent Ave",
        "George St", "Parliament St", "Grand Marais Ave", "Bay Ave", "Peel St", "Oak St", "Duke St",
        "Charles St", "Dundas Rd",
    ],
    cities: &[
        "Burlington", "Waterloo", "Deer Lake", "Beaumont", "Field", "Bath", "Glenwood",
        "St. George", "Lumsden", "Belmont", "New Glasgow", "Armstrong", "Charlottetown", "Souris",
        "Borden", "Notre Dame de Lourdes", "Radisson", "Clinton", "Havelock", "Grand Falls",
        "Cornwall", "Jasper", "Tecumseh", "Campbellton", "Chelsea", "Woodstock", "Odessa", "Alma",
        "Greenwood", "Red Rock", "Hampstead", "South River", "Dorchester", "Sherbrooke", "Vanier",
        "Elgin",
    ],
    states: &[
        "British Columbia", "Prince Edward Island", "Saskatchewan", "Québec",
        "Newfoundland and Labrador", "Manitoba", "Ontario", "Nunavut", "Nova Scotia", "Alberta",
        "Yukon", "Northwest Territories",
    ],
};

#[rustfmt::skip]
pub(super) static CH: Words = Words {
    male: &[
        "Vincent", "Karim", "Sandro", "Lionel", "Ernst", "Jean", "Alfons", "Cristiano", "Mirco",
        "Wilhelm", "Mirko", "Raul", "Hasan", "Manuel", "Artur", "Nick", "Bajram", "Hüseyin",
        "Heinrich", "Nicholas", "Gianni", "George",
    ],
    female: &[
        "Romana", "Marguerite", "Nadine", "Hildegard", "Bruna", "Rosina", "Erika", "Patricia",
        "Saskia", "Teresa", "Ingeborg", "Slavica", "Carla", "Amalia", "Lilian", "Lou", "Morena",
        "Ornella", "Sheila", "Judith", "Odette", "Elsbeth", "Carol", "Melinda", "Vera",
    ],
    last: &[
        "Caron", "Dufour", "Francois", "Simon", "Louis", "Mercier", "Vincent", "Fleury", "Morin",
        "Brunet", "Roussel", "Blanchard", "Guillaume", "Petit", "Robin", "Nguyen", "Fontai",
        "Fabre", "Adam", "Roy", "Clement", "Moreau", "Barbier", "Sanchez", "Aubert", "Lecomte",
        "Garcia", "Robert", "Lacroix", "Philippe", "Dupuis", "Hubert", "Fernandez", "Faure",
        "Martinez", "Girard", "Renard", "Dubois", "Roger",
    ],
    streets: &[
        "Rue de L'Abbé-Rousselot", "Rue du 8 Mai 1945", "Rue Abel", "Place de L'Abbé-Basset",
        "Avenue Vauban", "Avenue Goerges Clémenceau", "Avenue de la Libération", "Rue Abel-Ferry",
        "Rue de la Gare", "Rue André-Gide", "Avenue Paul Eluard", "Avenue de la République",
        "Rue de la Charité", "Rue du Dauphiné", "Place des 44 Enfants D'Izieu",
        "Place de L'Abbé-Georges-Hénocque", "Avenue de L'Abbé-Roussel", "Rue du Bon-Pasteur",
        "Place Paul-Duquaire", "Place du 22 Novembre 1943", "Rue Saint-Georges",
        "Rue Pierre-Delore", "Rue de Cuire", "Rue Pasteur", "Rue de L'Abbé-Soulange-Bodin",
        "Rue du Cardinal-Gerlier", "Rue Barrier", "Rue du Bât-D'Argent", "Rue de Gerland",
        "Rue de L'Église", "Rue des Cuirassiers", "Place de la Mairie", "Rue de la Barre",
        "Rue Laure-Diebold", "Rue de la Fontaine", "Rue Jean-Baldassini", "Rue Baraban",
        "Rue Gasparin", "Rue de L'Abbé-Grégoire", "Rue Denfert-Rochereau",
    ],
    cities: &[
        "Collex-Bossy", "Saubraz", "Miège", "Thalwil", "Waldstatt", "Calanca", "Seegräben",
        "Plasselb", "Saignelégier", "Meikirch", "Wiesendangen", "Veytaux", "Grosshöchstetten",
        "Dotzigen", "Pratteln", "Romainmôtier-Envy", "Allschwil", "Givisiez", "Ballaigues",
        "Dittingen", "Ziefen", "Zwingen", "Payerne", "Novaggio", "Coppet", "Ellikon an der Thur",
        "Flims", "Egerkingen", "Bauma", "Baldingen", "Morschach", "Concise", "Bellikon",
        "Heiligenschwendi", "Avenches", "Caslano", "Wohlen (Ag)", "Arosa", "Stans", "Nunningen",
        "Centovalli", "Rohrbach", "Sils im Domleschg", "Zuchwil", "Röthenbach im Emmental", "Zug",
    ],
    states: &[
        "St. Gallen", "Glarus", "Schwyz", "Jura", "Bern", "Zürich", "Solothurn", "Basel-Stadt",
        "Nidwalden", "Luzern", "Appenzell Innerrhoden", "Zug", "Ticino", "Graubünden", "Neuchâtel",
        "Aargau", "Basel-Landschaft", "Obwalden", "Fribourg",
    ],
};

#[rustfmt::skip]
pub(super) static DE: Words = Words {
    male: &[
        "Heinz-Dieter", "Tommi", "Hans-Henning", "Kamil", "Heinz-Willi", "Jan-Peter", "Arndt",
        "Jorge", "Roger", "Dieter", "Leo", "Reinhardt", "Hans-Wilhelm", "Nicolaus", "Aloys",
        "Chris", "Carsten", "Rolf", "Charlie",
    ],
    female: &[
        "Rabea", "Kathrin", "Isabella", "Pia", "Romy", "Rose", "Chantal", "Leila", "Carmine",
        "Elly", "Maja", "Jacqueline", "Hilde", "Siegrid", "Silva", "Theresia", "Kassandra",
        "Swantje", "Lidwina", "Emilia", "Marietta", "Margot", "Friedlinde", "Magarete", "Peggy",
        "Ingetraud",
    ],
    last: &[
        "Schümann", "Bauer", "Hirsch", "Klug", "Stauch", "Kunzmann", "Schmidbauer", "Fütterer",
        "Friese", "Köppel", "Heppner", "Marek", "Orlowski", "Kleiner", "Haberland", "Bernhardt",
        "Schnurr", "Bendel", "Neumann", "Christian", "Jünger", "Heindl", "Röhr", "Ruppert",
        "Rücker", "Schweizer", "Köppe", "Schalk", "Bunk", "Weitzel", "Rummel", "Lange", "Laumann",
        "Haack", "Schuch", "Nguyen", "Wächter", "Gies", "Daum", "Block", "Schwerdtfeger",
        "Haarmann", "Huth", "Haubold", "Kölling",
    ],
    streets: &[
        "Kirchplatz", "Schulstraße", "Eichenweg", "Goethestraße", "Mühlenstraße", "Friedhofstraße",
        "Blumenstraße", "Feldstraße", "Mittelweg", "Beethovenstraße", "Kiefernweg", "Heideweg",
        "Lindenweg", "Kirchstraße", "Danziger Straße", "Gartenstraße", "Römerstraße",
        "Kastanienweg", "Finkenweg", "Bergstraße", "Berliner Straße", "Waldweg", "Brunnenstraße",
        "Jahnstraße", "Poststraße", "Lessingstraße", "Rosenstraße", "Marktplatz", "Wiesenstraße",
        "Schillerstraße", "Lerchenweg", "Mühlweg", "Kirchweg", "Bahnhofstraße", "Erlenweg",
        "Am Sportplatz", "Neue Straße",
    ],
    cities: &[
        "Elze", "Creuzburg", "Königstein im Taunus", "Gützkow", "Stein", "Calau", "Bräunlingen",
        "Altlandsberg", "Weil Der Stadt", "Ilsenburg (Harz)", "Leer (Ostfriesland)", "Wildberg",
        "Groß-Bieberau", "Osterburg (Altmark)", "Gröningen", "Korschenbroich", "Kuppenheim",
        "Unterschleißheim", "Heideck", "Storkow (Mark)", "Lorsch", "Wuppertal", "Grünsfeld",
        "Jerichower Land", "Horstmar", "Wyk Auf Föhr", "Landau I.D. Pfalz", "Lübben (Spreewald)",
        "Neustadt an der Waldnaab", "Ortenberg", "Hennigsdorf", "Schenefeld", "Frankfurt am Main",
        "Usingen", "Wiesloch", "Bietigheim-Bissingen", "Wernau (Neckar)", "Ditzingen", "Kerpen",
        "Eschwege", "Willebadessen", "Kemnath", "Gifhorn", "Rheinsberg", "Eisenach",
    ],
    states: &[
        "Brandenburg", "Thüringen", "Sachsen", "Bremen", "Sachsen-Anhalt", "Niedersachsen",
        "Mecklenburg-Vorpommern", "Bayern", "Schleswig-Holstein", "Rheinland-Pfalz", "Hessen",
        "Berlin", "Nordrhein-Westfalen", "Baden-Württemberg",
    ],
};

#[rustfmt::skip]
pub(super) static DK: Words = Words {
    male: &[
        "Mathias", "Storm", "Valdemar", "Marius", "Lucas", "Noah", "Albert", "Jacob", "Victor",
        "Frederik", "Gustav", "Christian", "Mads", "Magnus", "Simon", "Kasper", "Villads",
    ],
    female: &[
        "Maja", "Freja", "Rosa", "Thea", "Liva", "Selma", "Olivia", "Sara", "Signe", "Astrid",
        "Alma", "Silje", "Tilde", "Josefine", "Silke",
    ],
    last: &[
        "Thomsen", "Petersen", "Møller", "Nielsen", "Rasmussen", "Olsen", "Sørensen", "Hansen",
        "Larsen", "Pedersen", "Andersen", "Jensen", "Madsen", "Christiansen", "Christensen",
        "Johansen", "Mortensen", "Kristensen",
    ],
    streets: &[
        "Højager", "Valmuevej", "Rylevej", "Vægtens Kvarter", "Mølletoften", "Margrethevej",
        "Jernbanevej", "Højvangsvej", "Søparken", "Haveforeningen Nordre Vang", "Hasselvænget",
        "Borgergade", "Munkemaen", "Skovkrogen", "Lupinvej", "Fasanvej", "Udsigten", "Bøgeparken",
        "Ågerupvej", "Niels Juels Vej", "Søndervangen", "Nyvangsvej", "Morelvej", "Klostergade",
        "Møllevænget", "Tårsvej", "Kongelundsvej", "Nørrevej", "Strædet", "Vænget", "Rødlundvej",
        "Bakkesvinget", "Absalonsgade", "H.C. Ørsteds Vej", "Fjordparken", "Hedevej", "Holbækvej",
        "Alleen",
    ],
    cities: &[
        "København N", "København Sv", "Hornbæk", "Kvistgaard", "Nykøbing F", "V.Skerninge",
        "København S", "Juelsminde", "Pandrup", "Stokkemarke", "Sønder Stenderup", "Overby Lyng",
        "Stenderup", "Aarhus N", "St.Merløse", "Lundby", "Tisvilde", "Odense Sv", "Sørvad",
        "Argerskov", "Støvring ", "Hurup Thy", "København V", "Branderup J", "Lintrup", "Bælum",
        "Frederiksberg", "Ulsted, Hals", "Roslev", "Jerslev Sj", "Aarhus",
    ],
    states: &[
        "Syddanmark", "Hovedstaden", "Nordjylland", "Sjælland", "Midtjylland", "Danmark",
    ],
};

#[rustfmt::skip]
pub(super) static ES: Words = Words {
    male: &[
        "Pedro", "Alejandro", "Carlos", "Ernesto", "Felipe", "Javier", "David", "Joaquin", "Iker",
        "Marc", "Mariano", "Valentín", "Mario", "Oscar", "Benito", "Isaac", "Miguel", "Alex",
        "Samuel", "Jorge", "Esteban", "Marcos", "Gregorio",
    ],
    female: &[
        "Rosa", "Pilar", "Marina", "Dolores", "Laura", "Vanesa", "Elisa", "Mónica", "Lourdes",
        "Lucia", "Sofia", "Mar", "Nuria", "Anna", "Ángeles", "Milagros", "Alejandra", "Carolina",
        "Juana", "Nerea", "Esther", "Margarita",
    ],
    last: &[
        "Romero", "Martínez", "Vicente", "Carrasco", "Sanz", "Santiago", "Gil", "León", "Sáez",
        "Fernández", "Gómez", "Esteban", "Velasco", "Vázquez", "Alonso", "Campos", "Flores",
        "Álvarez", "Morales", "Arias", "Prieto", "Pastor", "Sánchez", "Márquez", "Gallardo",
        "Román", "Hernández", "Castro", "Navarro", "Benítez", "Crespo", "Vidal", "Medina",
        "Santana", "Peña", "Bravo", "Núñez", "Santos", "Guerrero", "Diez", "Torres",
    ],
    streets: &[
        "Avenida de Burgos", "Calle del Prado", "Calle de Arturo Soria", "Avenida de América",
        "Calle Nebrija", "Calle del Barquillo", "Ronda de Toledo", "Avenida de La Albufera",
        "Paseo de Zorrilla", "Calle del Pez", "Calle de La Almudena", "Calle de Bravo Murillo",
        "Avenida de Andalucía", "Calle de Pedro Bosch", "Calle de Tetuán", "Calle de La Democracia",
        "Avenida de Castilla", "Calle de Alcalá", "Calle de Ferraz", "Calle de Argumosa",
        "Calle del Arenal", "Calle de Téllez", "Avenida del Planetario", "Calle de La Luna",
        "Calle de Atocha", "Calle de Alberto Aguilera", "Paseo de Extremadura",
    ],
    cities: &[
        "Alcobendas", "Sevilla", "Mérida", "Santiago de Compostela", "Pozuelo de Alarcón",
        "Orihuela", "Cuenca", "Oviedo", "Las Palmas de Gran Canaria", "Granada",
        "San Sebastián de Los Reyes", "Gandía", "Lorca", "Valencia", "Pamplona", "Málaga", "Murcia",
        "Ciudad Real", "Lugo", "Alcalá de Henares", "Móstoles", "Torrejón de Ardoz",
        "Santa Cruz de Tenerife", "Toledo", "Cartagena", "Vitoria", "Fuenlabrada", "Santander",
        "Logroño", "Vigo", "Arrecife", "Bilbao", "Palma de Mallorca", "Albacete", "Alicante",
        "Guadalajara", "La Palma",
    ],
    states: &[
        "Comunidad Valenciana", "Andalucía", "Ceuta", "Cantabria", "Extremadura", "Galicia",
        "Castilla la Mancha", "Canarias", "Navarra", "Castilla y León", "Islas Baleares",
        "Comunidad de Madrid", "País Vasco", "Asturias", "La Rioja", "Melilla", "Aragón",
        "Región de Murcia", "Cataluña",
    ],
};

#[rustfmt::skip]
pub(super) static FI: Words = Words {
    male: &[
        "Luukas", "Daniel", "Aleksi", "Niilo", "Leevi", "Miro", "Mikael", "Eeli", "Joel", "Vilho",
        "Toivo", "Samuel", "Konsta", "Oliver", "Samu",
    ],
    female: &[
        "Isla", "Aada", "Veera", "Ellen", "Vilma", "Milla", "Iiris", "Sanni", "Nelli", "Nella",
        "Emma", "Lotta", "Anni",
    ],
    last: &[
        "Aro", "Aalto", "Rantanen", "Kauppila", "Kalas", "Kujala", "Koivisto", "Pulli", "Koski",
        "Remes", "Latvala", "Huotari", "Elo", "Leinonen", "Pesola", "Niemela", "Kuusisto", "Niemi",
        "Harju", "Lepisto", "Niskanen", "Salmela", "Tikkanen", "Saarela", "Manninen", "Maunu",
        "Ahonen", "Tuominen", "Haapala", "Korpi",
    ],
    streets: &[
        "Hämeenkatu", "Hatanpään Valtatie", "Itsenäisyydenkatu", "Nordenskiöldinkatu",
        "Suvantokatu", "Bulevardi", "Satakennankatu", "Mechelininkatu", "Korkeavuorenkatu",
        "Aleksanterinkatu", "Rautatienkatu", "Tahmelantie", "Myllypuronkatu", "Visiokatu",
        "Otavalankatu", "Esplanadi", "Mannerheimintie", "Fredrikinkatu", "Pispalan Valtatie",
        "Reijolankatu", "Tehtaankatu", "Pyynikintie",
    ],
    cities: &[
        "Riihimäki", "Pirkkala", "Puumala", "Salo", "Siikajoki", "Pello", "Imatra", "Huittinen",
        "Seinäjoki", "Asikkala", "Loviisa", "Ii", "Uurainen", "Siuntio", "Urjala", "Isojoki",
        "Utajärvi", "Vihanti", "Inari", "Enonkoski", "Ristiina", "Hailuoto", "Virolahti", "Tuusula",
        "Oulainen", "Äänekoski", "Kihniö", "Merijärvi", "Vieremä", "Askola", "Masku", "Halsua",
        "Espoo", "Siilinjärvi",
    ],
    states: &[
        "Northern Ostrobothnia", "Central Finland", "Southern Ostrobothnia", "Päijät-Häme",
        "North Karelia", "Satakunta", "Northern Savonia", "Central Ostrobothnia", "Tavastia Proper",
        "Finland Proper", "South Karelia", "Lapland",
    ],
};

#[rustfmt::skip]
pub(super) static FR: Words = Words {
    male: &[
        "Dylan", "Elliot", "Lino", "Gauthier", "Guillaume", "Mathieu", "Angelo", "Gaspard", "Noam",
        "Kaïs", "William", "Aubin", "Soren", "Corentin", "Timothee", "Louka", "Thiago", "Logan",
        "Côme", "Owen", "Hadrien", "Lilian", "Nathan", "Léandre", "Benjamin", "Nils",
    ],
    female: &[
        "Anna", "Maëva", "Angèle", "Lya", "Louise", "Lilou", "Célia", "Naomi", "Sophia",
        "Alexandra", "Clarisse", "Charlotte", "Eve", "Jade", "Candice", "Charline", "Lana",
    ],
    last: &[
        "Martinez", "Roux", "Da Silva", "Deschamps", "Rousseau", "Gerard", "Laurent", "Denis",
        "Roche", "Olivier", "Guerin", "Philippe", "Menard", "Rodriguez", "Henry", "Martin", "Leroy",
        "Marchand", "Fontai", "Lucas", "Adam", "Francois", "Pierre", "Gauthier", "Fleury",
        "Nicolas", "Dumont", "Lefebvre", "Brun", "Nguyen", "Dupuis", "Moreau", "Gonzalez",
        "Le Gall", "Gaillard", "Carpentier", "Boyer", "Hubert", "Blanchard",
    ],
    streets: &[
        "Rue Duquesne", "Avenue des Ternes", "Rue du 8 Mai 1945", "Rue de Gerland", "Rue Barrier",
        "Rue de L'Abbé-Gillet", "Rue de la Baleine", "Rue des Ecrivains", "Avenue Joliot Curie",
        "Rue du Dauphiné", "Rue Paul-Duvivier", "Rue André-Gide", "Rue Louis-Garrand",
        "Place de L'Abbé-Jean-Lebeuf", "Rue du Moulin", "Rue de L'Abbé-Patureau", "Rue Paul Bert",
        "Rue des Cuirassiers", "Avenue du Fort-Caire", "Rue de L'Abbé-De-L'Épée",
        "Avenue Tony-Garnier", "Place du 8 Novembre 1942", "Rue Louis-Blanqui", "Route de Genas",
        "Rue des Jardins", "Rue Cyrus-Hugues", "Rue Principale", "Avenue de l'Abbé-Roussel",
        "Rue de L'Abbaye", "Rue Chazière", "Cours Charlemagne", "Avenue Paul Eluard",
        "Rue des Chartreux", "Rue de L'Église",
    ],
    cities: &[
        "Nice", "Tourcoing", "Créteil", "Roubaix", "Saint-Étienne", "Angers", "Aulnay-sous-Bois",
        "Courbevoie", "Clermont-Ferrand", "Mulhouse", "Saint-Pierre", "Marseille", "Pau",
        "Colombes", "Nantes", "Tours", "Versailles", "Montreuil", "Rouen", "Boulogne-Billancourt",
        "Aubervilliers", "Lille", "Caen", "Toulon", "Montpellier", "Strasbourg", "Argenteuil",
    ],
    states: &[
        "Yonne", "Jura", "Savoie", "Cantal", "Moselle", "Hautes-Alpes", "Haute-Corse",
        "Alpes-de-Haute-Provence", "Val-de-Marne", "Haute-Saône", "Rhône", "Bas-Rhin", "Loiret",
        "Val-D'Oise", "Corse-du-Sud", "Seine-Maritime", "Haut-Rhin", "Loire-Atlantique", "Vienne",
        "Doubs", "Territoire De Belfort", "Guadeloupe", "Charente-Maritime", "Aisne",
        "Haute-Garonne", "Mayenne", "Eure-et-Loir", "Ardennes", "Orne", "Isère", "Aude",
        "Haute-Loire", "Eure", "Deux-Sèvres", "Essonne", "Meurthe-et-Moselle",
    ],
};

#[rustfmt::skip]
pub(super) static GB: Words = Words {
    male: &[
        "Connor", "Bryan", "Keith", "Hugh", "Brad", "Richard", "Callum", "Duane", "Elliot",
        "Zachary", "Earl", "Dwayne", "Vernon", "Isaiah", "Erik", "Sammy", "Curtis",
    ],
    female: &[
        "Kathy", "Erin", "Allie", "Barb", "Kelly", "Ellie", "Lisa", "Deborah", "Rebecca", "Olivia",
        "Zoe", "Elizabeth", "Brooke", "Vanessa", "Sofia", "Eliza", "Teresa", "Holly",
    ],
    last: &[
        "Harvey", "Baker", "Pearson", "Scott", "Hughes", "Ortiz", "Fisher", "Martinez", "Harper",
        "Nichols", "Morgan", "Anderson", "Shaw", "Freeman", "Meyer", "James", "Rice", "Owens",
        "Stone", "Hoffman", "Garza", "Black", "Hunt", "Jones", "Wells", "Cole", "Simmons", "Myers",
        "Griffin", "Pena", "Rose", "Reyes", "Fuller", "Soto", "Hayes",
    ],
    streets: &[
        "Springfield Road", "Mill Road", "North Road", "Manchester Road", "New Road", "Church Road",
        "Queen Street", "The Green", "North Street", "York Road", "Victoria Road", "Chester Road",
        "St. John’S Road", "Church Lane", "Main Road", "School Lane", "Station Road", "Main Street",
        "Grove Road", "Green Lane", "Victoria Street", "Mill Lane", "Brick Kiln Road",
        "The Crescent", "Rectory Lane", "Park Road", "South Street", "High Street", "George Street",
        "The Avenue", "Albert Road",
    ],
    cities: &[
        "Stoke-on-Trent", "Sheffield", "Lincoln", "Preston", "Lichfield", "Durham", "Londonderry",
        "Bath", "Westminster", "Chester", "Edinburgh", "Glasgow", "Plymouth", "Newport", "Carlisle",
        "Canterbury", "Liverpool", "City of London", "St Albans", "Leicester", "Truro",
        "Brighton and Hove", "Swansea", "Norwich", "Wakefield", "Bangor", "Dundee", "Bristol",
        "Cardiff", "Kingston upon Hull",
    ],
    states: &[
        "County Londonderry", "Gwynedd County", "Shropshire", "Herefordshire", "Bedfordshire",
        "Cambridgeshire", "Surrey", "East Sussex", "Strathclyde", "Hertfordshire", "Cheshire",
        "Essex", "Suffolk", "South Yorkshire", "Tyne and Wear", "Greater Manchester", "Powys",
        "Leicestershire", "Isle of Wight", "Durham", "Cornwall", "Devon", "Avon", "Borders",
        "Merseyside", "Buckinghamshire", "Gwent", "Clwyd", "Tayside", "West Glamorgan",
        "Derbyshire", "Kent",
    ],
};

#[rustfmt::skip]
pub(super) static IE: Words = Words {
    male: &[
        "Ethan", "Angel", "Roberto", "Charles", "Cameron", "Joel", "Herbert", "Peter", "Joshua",
        "Milton", "Cody", "Edgar", "Theo", "Roy", "Phillip", "Leonard", "Ritthy",
    ],
    female: &[
        "Susie", "Hanna", "Tracy", "Avery", "Eliza", "Alison", "Charlotte", "Diana", "Scarlett",
        "Cathy", "Caroline", "Vanessa", "Eva", "Donna", "Catherine", "Christina", "Amanda",
        "Louise", "Faith", "Florence", "Jen", "Anna", "Lola", "Fiona",
    ],
    last: &[
        "Wheeler", "Edwards", "Miller", "Powell", "Owens", "Parker", "Bennett", "Andrews", "Brooks",
        "Young", "Baker", "Bradley", "Hanson", "Berry", "Bishop", "Davies", "Patterson", "Weaver",
        "Hicks", "Burns", "Doyle", "Myers", "Sutton", "Ellis", "Reynolds", "Fitzsimmons", "Kennedy",
        "Caldwell", "Ferguson", "Carlson", "Jones", "Mcdonalid", "Jensen", "Nelson", "Chambers",
        "Pierce", "Porter", "Grant", "Stephens", "Fletcher",
    ],
    streets: &[
        "York Road", "Galway Road", "Westmoreland Street", "Main Street", "The Avenue",
        "Grove Road", "Rochestown Road", "Church Street", "Dame Street", "West Street",
        "Woodlawn Avenue", "Alexander Road", "Green Lane", "Killarney Road", "Church Road",
        "School Lane", "South Street", "Springfield Road", "Cork Street", "Jones Road",
        "Station Road", "Manor Road", "Denny Street", "O'Connell Street", "Herbert Road",
        "O'Connell Avenue", "Patrick Street", "Victoria Road", "Park Road", "Strand Road",
    ],
    cities: &[
        "Edenderry", "Listowel", "Wicklow", "Kilkenny", "Bray", "Sallins", "Wexford", "Clane",
        "Clonakilty", "Carrick-on-Shannon", "Dunboyne", "Dungarvan", "Buncrana", "Ballinasloe",
        "Tramore", "Limerick", "Mountmellick", "Dundalk", "Drogheda", "Castlebar", "Leixlip",
        "Carlow", "Athlone", "Athenry", "Birr", "Arklow", "Letterkenny", "Monaghan", "Ardee",
        "Kilcoole", "Ballina", "Trim", "Portarlington", "Cobh", "Enniscorthy", "Greystones",
        "Bandon",
    ],
    states: &[
        "Laois", "Dún Laoghaire–Rathdown", "Westmeath", "Donegal", "Tipperary", "Leitrim", "Louth",
        "Dublin City", "Kildare", "Sligo", "Wexford", "Limerick", "South Dublin", "Kerry", "Cork",
        "Monaghan", "Meath", "Fingal", "Longford", "Cork City", "Galway", "Roscommon", "Kilkenny",
    ],
};

#[rustfmt::skip]
pub(super) static IN: Words = Words {
    male: &[
        "Arjun", "Ravi", "Samesh", "Utkarsh", "Dhiraj", "Yatan", "Abhinav", "Girish", "Kabir",
        "Lakshit", "Jagat", "Darsh", "Aloke", "Faraj", "Ekapad", "Viraj", "Dharun", "Ojas",
        "Udarsh", "Ansh", "Samarth", "Dileep", "Jatin", "Balendra", "Jagdish",
    ],
    female: &[
        "Swarna", "Vidyalaxmi", "Arundhati", "Arpitha", "Meera", "Asha", "Chinmayee", "Reema",
        "Krisha", "Bharathy", "Drishti", "Taahira", "Harini", "Anitha", "Aaradhya", "Mehar", "Sita",
        "Vaani", "Deepika", "Shwetha", "Anjali",
    ],
    last: &[
        "Shetty", "Das", "Tipparti", "Kini", "Nayak", "Vernekar", "Kamath", "Rajesh", "Manjunath",
        "Chavare", "Holla", "Gamskar", "Nair", "Anchan", "Keshri", "Uchil", "Kouser", "Dalvi",
        "Bhat", "Jain", "Shayana", "Prajapati", "Chatterjee", "Patil", "Padmanabha", "Mardhekar",
        "Mugeraya", "Moolya", "Namnaik", "Pujari", "Almeida", "Rao", "Prabhu", "Shroff", "Mendonsa",
    ],
    streets: &[
        "Maharanipeta", "Tripolia Bazar", "Vellala St", "NAD X Rd", "Shanmugham Rd", "Sampige Rd",
        "Rajpath", "Commercial St", "Kasturba Rd", "Rani No Hajiro", "Linking Rd", "Rajaji Salai",
        "Coaker's Walk", "Mall Rd", "Somwar Peth", "Mint St", "Colaba Causeway", "Kazimar St",
        "Bhootnath Rd", "Marine Drive", "S.A Rd", "Bannerghatta Rd", "Lamington Rd", "Ratha Bheedi",
        "Fontainhas", "Gali Paranthe Wali", "Shivajinagar", "Sitabuldi Main Rd", "Old Jail Rd",
        "Shakespeare Sarani", "China Bazaar Rd", "Altamount Rd", "Carter Rd Promenade", "Car St",
        "College St",
    ],
    cities: &[
        "Gaya", "Kavali", "Malegaon", "Anantapuram", "Bettiah", "Gulbarga", "Kozhikode", "Amritsar",
        "Deoghar", "Aurangabad", "Ahmedabad", "Jalna", "Kanpur", "Agra", "Sikar", "Shahjahanpur",
        "Gorakhpur", "Chapra", "Raichur", "Bidhannagar", "Tenali", "Bellary", "Guna", "Hajipur",
        "Ghaziabad", "Alappuzha", "Haldia", "Bhind", "Cuttack", "Junagadh", "Sultan Pur Majra",
        "Munger", "Secunderabad", "Fatehpur", "Jorhat", "Maheshtala", "Durgapur", "Khammam",
        "Jalgaon", "Pallavaram", "Moradabad", "Chandigarh", "Nadiad", "Hazaribagh", "Ozhukarai",
    ],
    states: &[
        "Gujarat", "Jammu and Kashmir", "Uttar Pradesh", "Jharkhand", "Kerala", "Tamil Nadu",
        "Manipur", "Uttarakhand", "Telangana", "Sikkim", "Meghalaya", "Dadra and Nagar Haveli",
        "Andaman and Nicobar Islands", "Mizoram", "Nagaland", "Delhi", "Chhattisgarh", "Tripura",
        "Lakshadweep", "Goa", "Andhra Pradesh", "Rajasthan", "Arunachal Pradesh", "Bihar",
        "Maharashtra", "Punjab", "Daman and Diu", "Assam", "Madhya Pradesh",
    ],
};

#[rustfmt::skip]
pub(super) static IR: Words = Words {
    male: &[
        "احسان", "آرسین", "آرتين", "رهام", "عرشيا", "شایان", "کوروش", "پارسا", "آدرین", "محمدمهدی",
        "سهیل", "آرمین", "رادین", "طاها", "محمدامين", "دانیال", "محمد", "سینا", "اميرعلي", "علیرضا",
        "نيما", "میلاد",
    ],
    female: &[
        "نازنین", "مارال", "عسل", "محیا", "تارا", "یلدا", "بهار", "مریم", "آرمیتا", "هلیا", "هستی",
        "آوا", "الینا", "آدرینا", "سوگند", "فاطمه زهرا",
    ],
    last: &[
        "محمدخان", "کامروا", "علیزاده", "جعفری", "سلطانی نژاد", "سهيلي راد", "احمدی", "مرادی",
        "حسینی", "زارعی", "نجاتی", "کوتی", "سالاری", "حیدری", "رضاییان", "یاسمی", "موسوی", "صدر",
        "کریمی", "كامياران",
    ],
    streets: &[
        "17 شهریور", "سپهبد قرنی", "شهید همت", "شهید باهنر", "نوفل لوشاتو", "سبلان جنوبی",
        "دکتر مفتح", "مالک اشتر", "واعظی", "دکتر فاطمی", "قدس", "شهید صابونچی", "شهید شهرام امیری",
        "نبرد جنوبی", "شهید آرش مهر", "کوی نصر", "شهید رحمانی", "شورا", "خرمشهر", "سهروردی",
        "جلال آل احمد", "شهید اکبر وصالی", "پاتریس لومومبا", "شهید بهشتی", "شهید کامبیز خشی",
        "میرداماد", "میدان 7 تیر", "آیت الله کاشانی", "جمال الدین اسدآبادی", "میرزای شیرازی",
        "امام خمینی", "میدان حر", "هلال احمر", "کارگر", "فاطمی", "آفریقا", "رسالت", "میدان شمشیری",
    ],
    cities: &[
        "ایلام", "دزفول", "کرمانشاه", "زاهدان", "قائم\u{200c}شهر", "قم", "آبادان",
        "خمینی\u{200c}شهر", "اسلام\u{200c}شهر", "بیرجند", "سیرجان", "ملارد", "شهریار", "تهران",
        "سبزوار", "شیراز", "قدس", "کاشان", "بجنورد", "اراک", "ارومیه", "خرم\u{200c}آباد", "نیشابور",
        "ساری", "گرگان", "قزوین", "ورامین", "مشهد", "همدان", "ساوه",
    ],
    states: &[
        "ایلام", "اردبیل", "همدان", "زنجان", "هرمزگان", "سمنان", "مازندران", "تهران", "خراسان رضوی",
        "خراسان شمالی", "سیستان و بلوچستان", "خراسان جنوبی", "کردستان", "البرز", "گلستان", "یزد",
        "کرمان", "لرستان", "اصفهان", "چهارمحال و بختیاری", "قم", "قزوین", "گیلان", "کرمانشاه",
        "مرکزی", "آذربایجان غربی",
    ],
};

#[rustfmt::skip]
pub(super) static MX: Words = Words {
    male: &[
        "Clemente", "Isaac", "Eduardo", "Ramiro", "Luis Manuel", "Patricio", "Silvano", "Pilar",
        "Francisco Javier", "Servando", "Roberto", "Gregorio", "Agustín", "Juan Carlos", "Conrado",
        "Orlando", "Bernardo", "Xavier", "Óscar", "Elias", "Héctor", "Gabriel", "René",
    ],
    female: &[
        "Zoé", "Laura", "Verónica", "Ángela", "Ilse", "Ana Luisa", "Leonor", "Georgina", "Jos",
        "Rocío", "Linda", "Isabel", "Juana", "Mónica", "Lilia", "Caridad", "Micaela", "Nadia",
        "Abril", "Dalia", "Mariana", "Aldonza",
    ],
    last: &[
        "Ulloa", "Rosado", "Palomo", "Quiñones", "Guevara", "Pedraza", "Fonseca", "Parra",
        "Corrales", "Hernádez", "Ozuna", "Vásquez", "Carmona", "Villagómez", "Rodríquez", "Colón",
        "Ayala", "Candelaria", "Granados", "Galindo", "Rojo", "Ibarra", "Zavala", "Dueñas",
        "Monroy", "Santillán", "Ballesteros", "Pedroza", "Mateo", "Zarate", "Chavarría", "Salinas",
        "Manzanares", "Alvarez", "Rolón", "Garza", "Almonte", "Tejada", "Menéndez", "Concepción",
        "Blanco", "Meraz", "Arce", "Yáñez",
    ],
    streets: &[
        "Peatonal Norte Salas", "Avenida Baja California Sur", "Viaducto Quintana Roo",
        "Privada Olmos", "Retorno Oaxaca", "Boulevard Lesotho", "Continuación Franco",
        "Calzada Myanmar", "Avenida Sur Barreto", "Corredor Sur Arevalo", "Viaducto Honduras",
        "Peatonal Rosales", "Ampliación Finlandia", "Continuación Puebla", "Continuación Cedillo",
        "Prolongación Guinea Ecuatorial", "Andador Bangladesh", "Continuación Azerbaiyán",
        "Continuación Iraq", "Eje vial Tamaulipas", "Eje vial Lucio", "Ampliación Medina",
        "Viaducto Turkmenistán", "Diagonal Sur Apodaca", "Continuación Cintrón", "Calzada Carrero",
        "Continuación Yucatán", "Eje vial México", "Periférico Sinaloa", "Callejón Oaxaca",
        "Circuito Norte Haro", "Retorno Sonora", "Pasaje Sinaloa", "Peatonal Arreola",
        "Pasaje Sur Velasco", "Calle Papua Nueva Guinea", "Corredor Portugal", "Callejón Chiapas",
        "Andador Indonesia", "Eje vial Norte Tirado", "Calzada Nauru", "Circunvalación Rodríquez",
        "Ampliación Norte Hinojosa", "Periférico Hidalgo", "Andador Irán", "Circuito Rwanda",
    ],
    cities: &[
        "Xalatlaco", "Pánfilo Natera", "Cuahuchichinola", "Trancoso", "Transfiguración", "Naco",
        "Ciudad Altamirano", "Momax", "Fresnillo", "Campo Número Veinte", "Nigromante", "Tijuana",
        "González", "Calzada del Tepozán", "Vencedores", "Manalisco", "General Simón Bolívar",
        "Melchor Ocampo", "Nacori Chico", "El Lucero (Arcinas)", "Ocotlán", "Plan de las Hayas",
        "El Colomo", "Pedro Meoqui", "San Maria Atarasquillo", "Otatlán", "Mitla",
        "San Nicolás de Presidio", "Tlaquepaque", "Trincheras", "Ejido Revolución (Las Víboras)",
        "Nopaltepec", "Tonatico", "San Nicolás de la Condesa", "Pueblo Yaqui", "Bajío de Bonillas",
        "Zapotlán de Juárez", "Vicente Guerrero (Algodones)", "El Jicote",
        "Lázaro Cárdenas (Mp.Cuauhtémoc)", "Gómez Palacio", "El Salto", "Huimilpan", "Zapotiltic",
        "Las Plazas", "San Mateo Atenco", "Juárez",
    ],
    states: &[
        "Guanajuato", "Jalisco", "Chihuahua", "Guerrero", "Durango", "San Luis Potosí",
        "Aguascalientes", "Baja California Sur", "Nayarit", "Quintana Roo", "Sinaloa", "Campeche",
        "Queretaro", "Hidalgo", "Colima", "Yucatan", "Coahuila", "Nuevo Leon", "Sonora", "Tlaxcala",
        "Veracruz", "Tabasco", "Baja California", "Tamaulipas", "Zacatecas", "Estado de Mexico",
    ],
};

#[rustfmt::skip]
pub(super) static NL: Words = Words {
    male: &[
        "Gidion", "Ayuub", "Gerbrand", "Derviş", "Derk-Jan", "Bert", "Ergin", "Sion", "Ruan",
        "Chahid", "Claudio", "Heine", "Sieb", "Lenno", "Renze", "Moussa", "Maxime", "Glen", "Imre",
        "Brad", "Radouane", "Janick", "Cian", "Ted",
    ],
    female: &[
        "Anneroos", "Domino", "Dünya", "Razia", "Guus", "Francien", "Mariken", "Juana", "Shelina",
        "Christel", "María", "Arigje", "Durkje", "Tineke", "Julisa", "Alissa", "Eelkje", "Letitia",
        "Almedina", "Joana",
    ],
    last: &[
        "Van Ierland", "Wijnmaalen", "Koppenaal", "Hoeijmakers", "Wijnhoven", "Nies", "Moerman",
        "Woltjer", "Gras", "Van Trigt", "Somai", "Smout", "Van den Elsen", "Van der Tuin",
        "Bankers", "Hof", "Stroomer", "Bijvank", "Verhage", "Van der Poel", "Broenink", "Kanters",
        "Beltman", "Kraaijvanger", "Weide", "Nooijens", "Van den Dikkenberg", "Sikkes", "Waninge",
        "Nijland", "Veenstra", "Pastoor", "Crama", "Bel", "Frieling", "Rademaker", "Koens",
        "Klopstra", "Hendrickx", "Kruijswijk", "Harders", "Broks", "Van der Elst", "Lek",
    ],
    streets: &[
        "Denekamperstraat", "Emiel van Averbekestraat", "Hofje van Koolen", "Kamperkade",
        "Castellumstraat", "Dorpslaan", "Koeneberg", "Goudriaanpad", "Braakse Bosdijk",
        "Delhezstraat", "Ijpe Wielingastrjitte", "Frisiusstrjitte", "Haareweg", "Kennemeroord",
        "Churchilllaan", "Constant Nefkensstraat", "Korte Boomweg", "Anna Paulownalaan",
        "Dreesborch", "Burg Kurversstraat", "Het Spectrum", "Achterschaykstraat", "Kwakscheweg",
        "Kroonknoop", "Kijkduin", "Het Kempke", "Dovenetelweg", "Johannes Postkwartier",
        "Dukaatslag", "Beversbergweg", "Barthold van Heesselstraat", "Eindhovensebaan", "De Velde",
        "Hammolenweg", "De Stobben", "Delhoevelaan", "Bermsloot", "Haveldweg", "Jan Punthof",
        "Abt van Den Eijndenstraat", "Hoefbladtuin", "Anemonenweg", "De Bounamstraat", "Dassenkoog",
    ],
    cities: &[
        "Ouder-Amstel", "Ouwster-Nijega", "Diever", "Jubbega", "Loon", "Zuidveen",
        "Lierderholthuis", "Hitzum", "Wijdewormer", "Aalst", "Achttienhoven", "Hippolytushoef",
        "Keent", "Heiligerlee", "Buren Gld", "Woldendorp", "Wilp Gld", "Mook en Middelaar",
        "Burgwerd", "Lichtaard", "Hantumhuizen", "Enter", "Opeinde", "Tienray", "Oldenzaal",
        "Beerzerveld", "Sintjohannesga", "Vrouwenakker", "Den Horn", "Ossendrecht", "Oude Pekela",
        "Waalre", "Cruquius", "Zaamslag", "Wageningen", "Kadoelen", "Vortum-Mullem", "Nij Beets",
        "Huissen", "Terborg", "Moerkapelle", "Nieuwersluis", "Heemstede", "Joure",
    ],
    states: &[
        "Flevoland", "Gelderland", "Groningen", "Overijssel", "Noord-Holland", "Noord-Brabant",
        "Friesland", "Limburg", "Zeeland", "Utrecht", "Zuid-Holland",
    ],
};

#[rustfmt::skip]
pub(super) static NO: Words = Words {
    male: &[
        "Halvard", "Younes", "Amund", "Amandus", "Artur", "Aron", "Runar", "Lauritz", "Filip",
        "Tore", "Dennis", "Bjørn", "Amin", "Bjørnar", "Neo", "Liam", "Franciszek", "Samuel",
        "Teodor", "Albert",
    ],
    female: &[
        "Isabella", "Lily", "Elin", "Weronika", "Paula", "Nawal", "Ema", "Martine", "Anny",
        "Emelie", "Safa", "Lone", "Amine", "Aminda", "Adine", "Celine", "Goda", "Malena", "Marie",
        "Gabriella", "Eleonora", "Serina",
    ],
    last: &[
        "Langmo", "Steen", "Lærum", "Sørensen", "Bekken", "Nærø", "Jevne", "Brodahl", "Leirdal",
        "Hanssen", "Walseth", "Kowalski", "Havn", "Sjøvold", "Fossen", "Nyvoll", "Grødem", "Lidal",
        "Ljones", "Nordeide", "Overå", "Nordvik", "Lauvrak", "Lehn", "Misje", "Malik",
        "Bernhardsen", "Tewelde", "Schulz", "Bang", "Engvik", "Figenschou", "Nordberg", "Tøsse",
        "Wennberg", "Frantzen", "Alsos", "Aaland", "Heim", "Østerbø", "Fuglestad", "Hussein",
        "Flåten",
    ],
    streets: &[
        "Grasveien", "Sakariasveien", "Dagalikroken", "Trosterudstien", "Jerpefaret", "Bjørnefaret",
        "Zetlitz' gate", "Ålmoveien", "Gråseterveien", "Ribstonveien", "Mylskerudveien",
        "Myntfunnveien", "Hølandsgata", "Sarpsborggata", "Stjerneveien", "Damplassen",
        "Nordahl Bruns gate", "Soelvolds vei", "Nypeveien", "Per Kvibergs gate", "Økernliveien",
        "Bjartveien", "Frøydis' vei", "Vendomveien", "Delebekken", "Lille Bislett",
        "Tostrup terrasse", "Keysers gate", "Hemingveien", "Jernbanetorget", "Øvrefoss",
        "Kyhns vei", "Linderngata", "Arvesetveien", "Kristine Bonnevies vei", "Fastings gate",
        "Sporveisgata", "Mårveien", "Nico Hambros vei", "Gamle Enebakkvei", "Rådhusgata",
        "Korallveien", "Karlsborgveien",
    ],
    cities: &[
        "Vatne", "Jelsnes", "Honningsvåg", "Tveteneåsen", "Løkken", "Longum", "Tennevoll",
        "Fosnavåg", "Hønefoss", "Konglungen", "Kvernaland", "Viksjord", "Brandal", "Holmestrand",
        "Austreim", "Jørpeland", "Ballstad", "Seljord", "Rykene", "Drag", "Hermansverk", "Heggenes",
        "Gaupne", "Ranemsletta", "Sandefjord", "Hvittingfoss", "Arna", "Mosvik", "Borkenes",
        "Lindeberg", "Geithus", "Bruflat", "Sandøya", "Sand", "Vestbygda", "Prestmoen", "Melhus",
        "Lervik", "Dimmelsvik", "Kopervik", "Skålevik", "Nesbygda",
    ],
    states: &[
        "Møre og Romsdal", "Finnmark - Finnmárku", "Buskerud", "Oslo", "Troms - Romsa",
        "Nord-Trøndelag", "Hordaland", "Nordland", "Vestfold", "Sogn og Fjordane", "Vest-Agder",
        "Sør-Trøndelag", "Bergen", "Telemark", "Rogaland", "Hedmark", "Aust-Agder", "Oppland",
        "Akershus", "Description",
    ],
};

#[rustfmt::skip]
pub(super) static NZ: Words = Words {
    male: &[
        "Ethan", "Alexander", "Beau", "Nathaniel", "Aaron", "Nathan", "Aidan", "Marcus", "Jack",
        "Mason", "Theo", "Edward", "Jasper", "James", "Harrison", "Tyler", "Luca", "Ashton",
        "Samuel", "Angus", "Toby", "Lachlan", "Flynn", "Joseph",
    ],
    female: &[
        "Jessica", "Bella", "Molly", "Piper", "Naomi", "Anna", "Mia", "Amber", "Sienna",
        "Mackenzie", "Katie", "Rose", "Florence", "Isla", "Zara", "Phoebe", "Eden", "Ruby", "Ava",
        "Violet", "Hazel",
    ],
    last: &[
        "Evans", "Thompson", "Turner", "King", "Martin", "Lewis", "Patel", "Hughes", "Roberts",
        "Li", "Singh", "Moore", "Zhang", "Jackson", "Robinson", "White", "Anderson", "Walker",
        "Kumar", "Green", "Williams", "Hall", "Taylor", "Chen", "Harris", "Wang", "Johnson",
        "Thomas", "Jones", "Cooper", "Brown",
    ],
    streets: &[
        "Linwood Avenue", "Memorial Avenue", "Te Rapa Road", "East Tamaki Road",
        "Te Irirangi Drive", "Queen Elizabeth Ii Drive", "Innes Road", "Nelson Street",
        "Ward Street", "Bridge Street", "Moorhouse Avenue", "Tweed Street", "Pitt Street",
        "Carlton Avenue", "Grey Street", "North Road", "Worcester Street", "Dee Street",
        "Hugh Watt Drive", "Fitzherbert Avenue", "Main North Road", "Mt Wellington Highway",
        "Coronation Avenue", "Bealey Avenue", "Chatham Road", "Weymouth Road", "Clark Avenue",
        "Durham Street", "Chadwick Road", "Theodosia Street", "Fergusson Drive", "Lichfield Street",
        "Roscommon Road", "Carrington Road", "Herbert Street", "Te Mata Road", "Albany Expressway",
        "Hilton Highway", "Esk Street", "Springs Road", "Gloucester Street", "Lake Road",
        "Devonport Road", "Cranford Street", "Highbrook Drive", "Western Hills Drive",
        "Heretaunga Street",
    ],
    cities: &[
        "Auckland", "Hamilton", "Hastings", "Wellington", "Rotorua", "Palmerston North",
        "Masterton", "Lower Hutt", "Upper Hutt", "Whanganui", "Blenheim", "Dunedin", "Whangarei",
        "Napier", "Timaru", "Christchurch", "Porirua", "Taupo", "Nelson", "New Plymouth",
        "Invercargill", "Gisborne",
    ],
    states: &[
        "Marlborough", "Canterbury", "Waikato", "Manawatu-Wanganui", "Nelson", "Bay of Plenty",
        "Otago", "Tasman", "Gisborne", "Northland", "Auckland", "Hawke'S Bay", "West Coast",
        "Southland", "Taranaki", "Wellington",
    ],
};

#[rustfmt::skip]
pub(super) static RS: Words = Words {
    male: &[
        "Vujadin", "Lubomir", "Svetislav", "Aljoša", "Radivoje", "Mihajlo", "Janko", "Dimitrije",
        "Mateja", "Dobrivoje", "Petar", "Milan", "Gojko", "Jakov", "Branko", "Radojko", "Miroslav",
    ],
    female: &[
        "Marija", "Jasna", "Bojana", "Zora", "Lidija", "Radmila", "Nadja", "Stanislava", "Mira",
        "Iva", "Irina", "Marina", "Anica", "Danica", "Dragana", "Ružica", "Danka", "Vladana",
        "Mila", "Biljana",
    ],
    last: &[
        "Stefanović", "Divac", "Šarović", "Drljača", "Nemanjić", "Ilić", "Topić", "Hadžić",
        "Selaković", "Silić", "Mitrović", "Mišković", "Kojić", "Pejić", "Radosavljević", "Lučić",
        "Borjan", "Stojanović", "Simić", "Vidić", "Lončarević", "Žikić", "Santrač", "Radović",
        "Bakić", "Peković", "Maksimović", "Ignjatović", "Perišić", "Ćirić", "Ivanišević",
        "Milovanović", "Jelačić", "Radojičić", "Raspopović", "Urošević", "Simonović",
    ],
    streets: &[
        "Marte Jorgović ", "Markovačka", "Miodraga Popovića", "Ariljačka", "Đorđa Vujadinovića",
        "Liparska", "Posavska", "Ljubomira ćipranića", "Ðorđa Milovanovića", "Siniše Nemanjića",
        "Zlate Petković ", "Vinogradski Venac", "Marije Vučetić ", "Patrijarha Jefrema",
        "Radnih Akcija", "Breza", "Koprivnička", "Blačka", "Slobodana Novakovića", "Mlinska",
        "Borova", "Milorada ćirića", "Petra Markovića", "Aleksandra Đorđevića", "Seljina",
        "Zlatanovićev Sokak", "Dobrile živanov Stakić", "BosilЈke Janić", "Ilije Čalića",
        "Dubrovačka", "Slobodana Perovića", "Stalaćka", "Vide Marković", "Janjevska",
        "Zorke Todosić ", "Bulevar Revolucije", "Bogoševačka", "Leposave MilЈković  ",
    ],
    cities: &[
        "Ruma", "Dimitrovgrad", "Vrbas", "Boljevac", "Gornji Milanovac", "Sjenica", "Bela Palanka",
        "Sremska Mitrovica", "Veliko Gradište", "Nova Varoš", "Velika Plana", "Priboj", "Kikinda",
        "Zvečan", "Kruševac", "Odžaci", "Mali Zvornik", "Lučani", "Opovo", "Vrnjačka Banja",
        "Nova Crnja", "Požarevac", "Pančevo", "Irig", "Bujanovac", "Sokobanja", "Bogatić", "Žabari",
        "Dečan", "Koceljeva", "Mali Iđoš", "Niš", "Malo Crniće", "Aleksandrovac", "Plandište",
        "Sremski Karlovci",
    ],
    states: &[
        "Kosovo", "Bor", "South Banat", "Kosovska Mitrovica", "Pčinja", "Šumadija", "Peć", "Nišava",
        "South Bačka", "Central Banat", "Kosovo-Pomoravlje", "Podunavlje", "Zaječar", "Braničevo",
        "Toplica", "West Bačka", "Pomoravlje", "Mačva", "Rasina", "Moravica",
    ],
};

#[rustfmt::skip]
pub(super) static TR: Words = Words {
    male: &[
        "Vedat", "Ege", "Batur", "Kaya", "Kadir", "Önal", "Özkan", "Kenan", "Ali", "Kuzey", "Babür",
        "Davut", "Eren", "Nihal", "Volkan", "Oğuzhan", "Giray", "Gökhan",
    ],
    female: &[
        "Fatma", "Yasemin", "Kübra", "Vildan", "Gül", "Ömür", "Latife", "Mestan", "Esma", "Afet",
        "Ayşe", "Buse", "Afşar", "Sedef", "Oya", "Begüm", "Deniz",
    ],
    last: &[
        "Arslanoğlu", "Düşenkalkar", "Tanrıkulu", "Kurutluoğlu", "Özbir", "Erkekli", "Elçiboğa",
        "Türkyılmaz", "Kunt", "Kaplangı", "Atan", "Tüzün", "Kahveci", "Nebioğlu", "Özbey",
        "Baturalp", "Evliyaoğlu", "Uluhan", "Köybaşı", "Erçetin", "Berberoğlu", "Polat", "Avan",
        "Ozansoy", "Erbay", "Çamdalı", "Mayhoş", "Okur", "Koç", "Orbay", "Kavaklıoğlu", "Yeşilkaya",
        "Özkara", "Tunçeri", "Paksüt", "Babacan", "Karaduman", "Kulaksızoğlu", "Dağdaş", "Samancı",
        "Karadaş", "Tekelioğlu",
    ],
    streets: &[
        "Tunalı Hilmi Cd", "Mevlana Cd", "Istiklal Cd", "Doktorlar Cd", "Bağdat Cd",
        "Talak Göktepe Cd", "Kushimoto Sk", "Maçka Cd", "Filistin Cd", "Fatih Sultan Mehmet Cd",
        "Vatan Cd", "Atatürk Sk", "Anafartalar Cd", "Necatibey Cd", "Şehitler Cd",
    ],
    cities: &[
        "Diyarbakır", "Ardahan", "Van", "Batman", "Artvin", "Çankırı", "Edirne", "Afyonkarahisar",
        "Bolu", "Kayseri", "Adana", "Karaman", "Bartın", "Kahramanmaraş", "Yalova", "Sakarya",
        "Hakkâri", "Denizli", "Bilecik", "Amasya", "Siirt", "Hatay", "Uşak", "Giresun", "Balıkesir",
        "Niğde", "Muş", "Zonguldak", "Aydın", "Erzincan", "Adıyaman", "Şanlıurfa", "Bitlis",
        "Kilis", "Iğdır",
    ],
    states: &[
        "Samsun", "Hatay", "Tekirdağ", "Kırıkkale", "Bolu", "Zonguldak", "Muğla", "Iğdır",
        "Antalya", "Rize", "Karaman", "Balıkesir", "Sivas", "Elazığ", "Osmaniye", "Nevşehir",
        "Batman", "Denizli", "Afyonkarahisar", "Gümüşhane", "Tokat", "Sinop", "Ağrı", "Ankara",
        "Adıyaman", "Uşak", "Ordu", "Aksaray", "Van", "Burdur", "Sakarya", "Hakkâri", "Yalova",
        "Kilis", "Bilecik", "Tunceli", "Erzincan", "Trabzon", "Adana",
    ],
};

#[rustfmt::skip]
pub(super) static UA: Words = Words {
    male: &[
        "Horiv", "Soncevid", "Vukol", "Prebislav", "Miloslav", "Ievstafiy", "Cvitan", "Atanas",
        "Rostun", "Mstivoy", "Molibog", "Boronislav", "Zlat", "Yakiv", "Rid", "Dalibor", "Oleg",
        "Peremisl", "Matviy", "Lyubovir", "Magamir", "Bogdan",
    ],
    female: &[
        "Pistina", "Marta", "Tverdislava", "Fedora", "Slava", "Oleksandra", "Zoreslava", "Afina",
        "Adelayida", "Nemira", "Rozhana", "Marina", "Marianna", "Ognyana", "Paraskoviya", "Alfreda",
        "Katerina", "Romashka",
    ],
    last: &[
        "Prihotko", "Sohacka", "Tokar", "Paneyko", "Virastyuk", "Lapichak", "Titarchuk",
        "Kupchishin", "Rudik", "Umanec", "Andruhiv", "Tishchenko", "Golodnyuk", "Bakunec", "Nichay",
        "Ieremenko", "Ratushna", "Bezruchko", "Chuprun", "Kutas", "Avdieienko", "Zlenko", "Dosenko",
        "Leskiv", "Zagrodskiy", "Vernidub", "Digtyar", "Pashchenko", "Galushchenko", "Tomkiv",
        "Didik", "Solomchenko", "Pidgorniy", "Trigub", "Hodiki", "Krivko", "Morachevskiy", "Luchuk",
        "Sudiienki", "Bemer",
    ],
    streets: &[
        "Tarasivska", "Gorenska", "Otamaniv Sokolovskih", "Mostoviy provulok", "Levinskogo",
        "Bogushevskiy provulok", "Musi Dzhalilya", "Verhnogirska", "Lisichanskiy provulok",
        "Malanyuka", "Zapovitna", "Pavla Usenka", "Zolochevska", "Grecka ploshcha", "Gimnazichna",
        "Berestyana", "Ploshcha Petra Zaporozhcya", "Vasilya Verhovincya", "Galshki Gulevichivni",
        "Biberovichiv", "Sim'yi Steshenkiv", "Kavaleriyska", "Provulok Yablochkova", "Stasova",
        "Mihaylivska", "Sim'yi Prahovih", "Kadetskiy gay", "Vasilivska", "Grigorovicha-Barskogo",
        "Prospekt Budivelnikiv", "Magnitogorskiy provulok", "Markiyana Shashkevicha",
        "Kooperativna", "Burmistenka", "Vavilova", "Derevoobrobna", "Oleksiya Panchenka",
        "Bodyanskogo", "Brativ Klimovih", "Zinkivska",
    ],
    cities: &[
        "Pivdenne", "Poltava", "Melitopol", "Slov'yansk", "Bilicke", "Kam'yanec-Podilskiy",
        "Dnipro", "Zhdanivka", "Beregove", "Berezan", "Mariupol", "Shumsk", "Reshetilivka",
        "Vasilkiv", "Amvrosiyivka", "Zalishchiki", "Tulchin", "Pogrebishche", "Polonne", "Lohvicya",
        "Novoukrayinka", "Gorodenka", "Svyatogirsk", "Skvira", "Hotin", "Soledar", "Volochisk",
        "Rivne", "Nizhin", "Novomoskovsk", "Snovsk", "Lviv", "Girnik", "Shargorod", "Mikolayivka",
        "Sambir", "Monastiriska", "Gola Pristan", "Slavuta",
    ],
    states: &[
        "Zakarpatska", "Chernivecka", "Ternopilska", "Harkivska", "Rivnenska", "Vinnicka",
        "Volinska", "Poltavska", "Kiyivska", "Donecka", "Avtonomna Respublika Krim", "Odeska",
        "Lvivska", "Ivano-Frankivska", "Dnipropetrovska", "Hersonska", "Hmelnicka", "Zhitomirska",
        "Cherkaska", "Kirovogradska",
    ],
};

#[rustfmt::skip]
pub(super) static US: Words = Words {
    male: &[
        "Robert", "Luke", "Clayton", "Marcus", "Karl", "Richard", "Roberto", "James", "Aiden",
        "Jimmie", "Nathaniel", "Ryan", "Hunter", "Craig", "Carl", "Cecil", "Byron", "Alex",
        "Hector", "Eli", "Antonio", "Leonard",
    ],
    female: &[
        "Jennie", "Aubrey", "Diane", "Jill", "Terri", "Priscilla", "Judith", "Beatrice", "Jackie",
        "Tara", "Kylie", "Annie", "Rachel", "Savannah", "Miriam", "Cassandra", "Louise", "Marian",
        "Terry", "Rose", "Joy", "Irene", "Delores", "Elizabeth",
    ],
    last: &[
        "Rice", "Little", "Hanson", "Frazier", "Beck", "Myers", "Lynch", "Butler", "Henderson",
        "Wade", "Reed", "Long", "Hughes", "Barnes", "Woods", "Mcdonalid", "Cruz", "Carpenter",
        "Bowman", "Gonzalez", "Evans", "Hamilton", "Miles", "Simmons", "Graves", "Walters", "Pena",
        "Gomez", "Lowe", "Diaz", "Perez", "Morris", "Coleman", "Gonzales", "Garrett", "Wallace",
        "Russell", "Holland", "Vargas", "Fernandez", "Johnson", "Black", "Carter", "Murray",
        "Nichols", "Porter",
    ],
    streets: &[
        "Timber Wolf Trail", "Preston Rd", "Lone Wolf Trail", "Stevens Creek Blvd", "Hamilton Ave",
        "Green Rd", "Lakeview St", "Samaritan Dr", "W Belt Line Rd", "Blossom Hill Rd",
        "Pecan Acres Ln", "Bruce St", "Hunters Creek Dr", "Dane St", "Plum St", "Hickory Creek Dr",
        "Spring St", "Cherry St", "Spring Hill Rd", "Miller Ave", "Karen Dr", "Country Club Rd",
        "E Little York Rd", "Oak Ridge Ln", "Cackson St", "Central St", "Smokey Ln",
        "Mockingbird Ln", "Brown Terrace", "Locust Rd", "Hogan St", "Poplar Dr", "James St",
        "Crockett St", "Nowlin Rd", "Robinson Rd", "Northaven Rd", "Homestead Rd", "Frances Ct",
    ],
    cities: &[
        "Fort Wayne", "Costa Mesa", "Fort Worth", "Shreveport", "Cambridge", "Tempe", "Norfolk",
        "Elizabeth", "Charlotte", "Milwaukee", "Frisco", "Farmers Branch", "Charleston", "Lakeland",
        "Dayton", "Hamsburg", "Medford", "Shiloh", "Fort Lauderdale", "Bernalillo", "Cincinnati",
        "Palmdale", "Mcallen", "Coppell", "Manchester", "Las Vegas", "Flowermound", "Edgewood",
        "Rancho Cucamonga", "Cleveland", "Toledo", "Vancouver", "Everett", "Long Beach", "York",
        "Topeka", "Newport News", "Lousville", "Tucson", "Salinas", "Iowa Park", "Chula Vista",
    ],
    states: &[
        "Nevada", "North Dakota", "Louisiana", "Indiana", "Rhode Island", "South Dakota",
        "Oklahoma", "Colorado", "New Jersey", "Michigan", "Oregon", "West Virginia", "Tennessee",
        "California", "Pennsylvania", "Maine", "North Carolina", "Minnesota", "Florida", "Kentucky",
        "Virginia", "New Hampshire", "Maryland", "Kansas", "Delaware", "Nebraska", "Georgia",
        "Illinois", "Arkansas", "South Carolina", "Utah",
    ],
};
